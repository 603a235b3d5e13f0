using Fusebox;

namespace Docs.Tests.Snippets.Throttling;

/// <summary>docs/throttling.md: a breaker with adaptive throttling beside its trip policy.</summary>
public static class ThrottledBreaker
{
    public static CircuitBreaker Create()
    {
        // snippet:start
        var breaker = new CircuitBreaker("fraud-service", new CircuitBreakerOptions
        {
            TripPolicy = TripPolicy.FailureRate(0.5, TimeSpan.FromSeconds(30), minimumCalls: 20),
            AdaptiveThrottling = new AdaptiveThrottlingOptions
            {
                AcceptsMultiplier = 2,                 // K
                Window = TimeSpan.FromMinutes(2),
                NotAccepted = ThrottlingSignal.Failures, // or Overload: only 429/503, ResourceExhausted, ...
            },
        });
        // snippet:end
        return breaker;
    }
}
