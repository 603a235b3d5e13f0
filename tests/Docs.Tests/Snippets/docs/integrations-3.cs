using Docs.Tests.Scaffold;
using Fusebox.Extensions;
using Fusebox.Http;
using Microsoft.Extensions.DependencyInjection; // implicit in an ASP.NET Core app (Microsoft.NET.Sdk.Web)

namespace Docs.Tests.Snippets.Integrations;

/// <summary>docs/integrations.md: the standard handler on every client.</summary>
public sealed class StandardHandlerEverywhere : WebAppScaffold
{
    public void Run()
    {
        // snippet:start
        builder.Services.AddFusebox(builder.Configuration);
        builder.Services.ConfigureHttpClientDefaults(http => http.AddFuseboxStandardHandler());
        // snippet:end
    }
}
