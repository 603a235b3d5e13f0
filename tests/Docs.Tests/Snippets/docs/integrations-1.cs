using Fusebox;
using Fusebox.Polly;
using Polly;

namespace Docs.Tests.Snippets.Integrations;

/// <summary>docs/integrations.md: a Fusebox breaker in a plain Polly pipeline.</summary>
public sealed class PollyPipeline
{
    public ResiliencePipeline Build(CircuitBreakerRegistry registry)
    {
        // snippet:start
        var pipeline = new ResiliencePipelineBuilder()
            .AddFuseboxCircuitBreaker(registry, "payments")               // the registry's breaker named "payments"
            .Build();
        // snippet:end
        return pipeline;
    }
}
