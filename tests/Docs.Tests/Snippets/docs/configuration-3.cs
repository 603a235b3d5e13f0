#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked experimental
using Docs.Tests.Scaffold;
using Fusebox.Extensions;
using Fusebox.Http;
using Microsoft.Extensions.DependencyInjection; // implicit in an ASP.NET Core app (Microsoft.NET.Sdk.Web)
using Microsoft.Extensions.Hosting;

namespace Docs.Tests.Snippets.Configuration;

/// <summary>docs/configuration.md: replacing the standard handler an Aspire app's ServiceDefaults add.</summary>
public sealed class ReplaceStandardHandler : WebAppScaffold
{
    public void Run()
    {
        // snippet:start
        builder.AddServiceDefaults();                                  // AddStandardResilienceHandler() on every client
        builder.Services.AddFusebox(builder.Configuration);
        builder.Services.AddHttpClient("fraud")                        // this client: Fusebox instead
            .RemoveAllResilienceHandlers()
            .AddFuseboxStandardHandler();
        builder.Services.ConfigureHttpClientDefaults(http => http      // or every client: after AddServiceDefaults
            .RemoveAllResilienceHandlers()
            .AddFuseboxStandardHandler());
        // snippet:end
    }
}

/// <summary>The part of an Aspire ServiceDefaults project (Extensions.cs) that the snippets rely on.</summary>
internal static class AspireServiceDefaults
{
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());
        return builder;
    }
}
