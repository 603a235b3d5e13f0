// snippet:start
using Fusebox.Extensions;   // package Fusebox.Extensions: AddFusebox
using Fusebox.Http;         // package Fusebox.Http: AddFuseboxHandler
// snippet:end
using Docs.Tests.Scaffold;
using Microsoft.Extensions.DependencyInjection; // implicit in an ASP.NET Core app (Microsoft.NET.Sdk.Web)

namespace Docs.Tests.Snippets.Readme;

/// <summary>README.md, "Quick start": the HTTP handler configured from appsettings.json.</summary>
public sealed class HttpClientStart : WebAppScaffold
{
    public void Run()
    {
        // snippet:start
        builder.Services.AddFusebox(builder.Configuration);
        builder.Services.AddHttpClient("fraud", c => c.BaseAddress = new Uri("http://fraud-service"))
            .AddFuseboxHandler(o => o.Timeout = TimeSpan.FromSeconds(1));
        // snippet:end
    }
}
