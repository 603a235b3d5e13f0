// snippet:start
using Fusebox.Extensions;
using Fusebox.Http;
// snippet:end
using Docs.Tests.Scaffold;
using Microsoft.Extensions.DependencyInjection; // implicit in an ASP.NET Core app (Microsoft.NET.Sdk.Web)

namespace Docs.Tests.Snippets.Packages;

/// <summary>src/Fusebox.Http/README.md: the package README of Fusebox.Http.</summary>
public sealed class HttpPackage : WebAppScaffold
{
    public void Run()
    {
        // snippet:start
        builder.Services.AddFusebox(builder.Configuration);            // breaker options from Fusebox:Breakers:fraud
        builder.Services.AddHttpClient("fraud", c => c.BaseAddress = new Uri("http://fraud-service"))
            .AddFuseboxHandler(o => o.Timeout = TimeSpan.FromSeconds(1));
        // snippet:end
    }
}
