using Docs.Tests.Scaffold;
using Fusebox;
using Fusebox.Polly;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.DependencyInjection; // implicit in an ASP.NET Core app (Microsoft.NET.Sdk.Web)

namespace Docs.Tests.Snippets.Integrations;

/// <summary>docs/integrations.md: the Fusebox strategy in an HttpClient resilience handler, one breaker per authority.</summary>
public sealed class PollyHttpClient : WebAppScaffold
{
    public void Run()
    {
        // snippet:start
        builder.Services.AddHttpClient("catalog")
            .AddResilienceHandler("fusebox", (b, ctx) => b.AddFuseboxCircuitBreaker(
                ctx.ServiceProvider.GetRequiredService<CircuitBreakerRegistry>(), $"catalog {ctx.InstanceName}"))
            .SelectPipelineByAuthority();
        // snippet:end
    }
}
