using Docs.Tests.Scaffold;
using Fusebox.Extensions;
using Fusebox.Http;
using Microsoft.Extensions.DependencyInjection; // implicit in an ASP.NET Core app (Microsoft.NET.Sdk.Web)

namespace Docs.Tests.Snippets.Packages;

/// <summary>src/Fusebox.Http/README.md: the standard handler on every client.</summary>
public sealed class HttpPackageStandard : WebAppScaffold
{
    public void Run()
    {
        // snippet:start
        builder.Services.AddFusebox(builder.Configuration);
        builder.Services.ConfigureHttpClientDefaults(http => http.AddFuseboxStandardHandler());
        // snippet:end
    }
}
