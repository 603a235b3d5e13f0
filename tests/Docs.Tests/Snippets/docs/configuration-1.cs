// snippet:start
using Fusebox.Extensions;   // AddFusebox, ConfigureBreakers, AddFuseboxHealthCheck (package Fusebox.Extensions)
using Fusebox.Http;         // AddFuseboxHandler (package Fusebox.Http)
// snippet:end
using Docs.Tests.Scaffold;
using Microsoft.Extensions.DependencyInjection; // implicit in an ASP.NET Core app (Microsoft.NET.Sdk.Web)

namespace Docs.Tests.Snippets.Configuration;

/// <summary>docs/configuration.md: registration, the HTTP handler and the health check.</summary>
public sealed class Registration : WebAppScaffold
{
    public void Run()
    {
        // snippet:start
        builder.Services.AddFusebox(builder.Configuration)                 // reads the "Fusebox" section
            .ConfigureBreakers((name, o) => o.ShouldHandleException = ex => ex is not ArgumentException); // what JSON cannot say
        builder.Services.AddHttpClient("fraud", c => c.BaseAddress = new("http://fraud-service"))
            .AddFuseboxHandler(o => o.Timeout = TimeSpan.FromSeconds(1));
        builder.Services.AddHealthChecks().AddFuseboxHealthCheck();
        // snippet:end
    }
}
