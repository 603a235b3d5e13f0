// snippet:start
using Fusebox;
using Fusebox.Polly;
using Polly;
// snippet:end

namespace Docs.Tests.Snippets.Packages;

/// <summary>src/Fusebox.Polly/README.md: the package README of Fusebox.Polly, a plain pipeline.</summary>
public sealed class PollyPackage
{
    public ResiliencePipeline Build()
    {
        // snippet:start
        var registry = new CircuitBreakerRegistry();             // one per application: the breakers and their state
        ResiliencePipeline pipeline = new ResiliencePipelineBuilder()
            .AddFuseboxCircuitBreaker(registry, "payments")      // open: BrokenCircuitException, with RetryAfter
            .Build();
        // snippet:end
        return pipeline;
    }
}
