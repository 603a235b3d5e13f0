using Docs.Tests.Scaffold;
using Fusebox.Extensions;
using Fusebox.Http;
using Microsoft.Extensions.DependencyInjection; // implicit in an ASP.NET Core app (Microsoft.NET.Sdk.Web)

namespace Docs.Tests.Snippets.Configuration;

/// <summary>docs/configuration.md: the standard handler on every client, or on one.</summary>
public sealed class StandardHandler : WebAppScaffold
{
    public void Run()
    {
        // snippet:start
        builder.Services.AddFusebox(builder.Configuration);
        builder.Services.ConfigureHttpClientDefaults(http => http.AddFuseboxStandardHandler()); // every client
        builder.Services.AddHttpClient("fraud")                                                 // or one, with its own options
            .AddFuseboxStandardHandler(o => o.AttemptTimeout = TimeSpan.FromSeconds(2));
        // snippet:end
    }
}
