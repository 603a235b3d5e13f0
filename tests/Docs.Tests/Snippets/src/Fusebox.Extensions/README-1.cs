// snippet:start
using Fusebox;
using Fusebox.Extensions;
// snippet:end
using Docs.Tests.Scaffold;
using Microsoft.Extensions.DependencyInjection; // implicit in an ASP.NET Core app (Microsoft.NET.Sdk.Web)

namespace Docs.Tests.Snippets.Packages;

/// <summary>src/Fusebox.Extensions/README.md: the package README of Fusebox.Extensions.</summary>
public sealed class ExtensionsPackage : WebAppScaffold
{
    public void Run()
    {
        // snippet:start
        builder.Services.AddFusebox(builder.Configuration);           // reads "Fusebox:Defaults" and "Fusebox:Breakers:{name}"
        builder.Services.AddHealthChecks().AddFuseboxHealthCheck();

        var registry = app.Services.GetRequiredService<CircuitBreakerRegistry>(); // or inject it
        CircuitBreaker breaker = registry.GetOrAdd("fraud");           // options from Fusebox:Breakers:fraud
        // snippet:end
    }
}
