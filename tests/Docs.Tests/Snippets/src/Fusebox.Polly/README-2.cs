// snippet:start
using Fusebox;
using Fusebox.Extensions;
using Fusebox.Polly;
using Microsoft.Extensions.Http.Resilience;
// snippet:end
using Docs.Tests.Scaffold;
using Microsoft.Extensions.DependencyInjection; // implicit in an ASP.NET Core app (Microsoft.NET.Sdk.Web)

namespace Docs.Tests.Snippets.Packages;

/// <summary>src/Fusebox.Polly/README.md: the Fusebox strategy inside an HttpClient resilience handler, per authority.</summary>
public sealed class PollyHttpPackage : WebAppScaffold
{
    public void Run()
    {
        // snippet:start
        builder.Services.AddFusebox(builder.Configuration);
        builder.Services.AddHttpClient("catalog")
            .AddResilienceHandler("fusebox", (pipeline, context) => pipeline.AddFuseboxCircuitBreaker(
                context.ServiceProvider.GetRequiredService<CircuitBreakerRegistry>(), $"catalog {context.InstanceName}"))
            .SelectPipelineByAuthority();
        // snippet:end
    }
}
