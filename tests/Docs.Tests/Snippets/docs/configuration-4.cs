using Docs.Tests.Scaffold;
using Fusebox.Extensions;
using Fusebox.Http;
using Microsoft.Extensions.DependencyInjection; // implicit in an ASP.NET Core app (Microsoft.NET.Sdk.Web)

namespace Docs.Tests.Snippets.Configuration;

/// <summary>docs/configuration.md: the plain handler inside the standard handler an Aspire app's ServiceDefaults add.</summary>
public sealed class StackOnStandardHandler : WebAppScaffold
{
    public void Run()
    {
        // snippet:start
        builder.AddServiceDefaults();
        builder.Services.AddFusebox(builder.Configuration);
        builder.Services.AddHttpClient("fraud").AddFuseboxHandler();   // inside the standard handler's retries
        // snippet:end
    }
}
