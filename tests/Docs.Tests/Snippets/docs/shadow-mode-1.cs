using Fusebox;

namespace Docs.Tests.Snippets.ShadowMode;

/// <summary>docs/shadow-mode.md: a breaker in shadow mode.</summary>
public static class ShadowBreaker
{
    public static CircuitBreaker Create()
    {
        // snippet:start
        var breaker = new CircuitBreaker("fraud-service", new CircuitBreakerOptions
        {
            TripPolicy = TripPolicy.FailureRate(0.5, TimeSpan.FromSeconds(30), minimumCalls: 20),
            ShadowMode = true,
        });
        // snippet:end
        return breaker;
    }
}
