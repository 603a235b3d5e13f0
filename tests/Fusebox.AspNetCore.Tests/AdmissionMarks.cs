namespace Fusebox.AspNetCore.Tests;

/// <summary>Breakers in a known shadow or throttling state, for the API and dashboard tests of those marks.</summary>
internal static class AdmissionMarks
{
    /// <summary>A shadow breaker opened by 5 failures that then admitted <paramref name="wouldBeRejected"/> calls it would
    /// have rejected.</summary>
    public static CircuitBreaker OpenShadowBreaker(this CircuitBreakerRegistry registry, string name, int wouldBeRejected)
    {
        var breaker = registry.GetOrAdd(name, new CircuitBreakerOptions { ShadowMode = true });
        breaker.FailTimes(5);
        Assert.Equal(BreakerState.Open, breaker.State);
        breaker.SucceedTimes(wouldBeRejected); // shadow mode admits them all
        Assert.Equal((wouldBeRejected, 0L), (breaker.Snapshot().ShadowRejectedCalls, breaker.Snapshot().RejectedCalls));
        return breaker;
    }

    /// <summary>A throttling breaker whose dependency refused all of 100 attempted calls (the trip policy never opens),
    /// so that throttling rejects most calls by now.</summary>
    public static CircuitBreaker ThrottlingBreaker(this CircuitBreakerRegistry registry, string name)
    {
        var breaker = registry.GetOrAdd(name, new CircuitBreakerOptions
        {
            TripPolicy = TripPolicy.ConsecutiveFailures(1000),
            AdaptiveThrottling = new AdaptiveThrottlingOptions(),
        });
        for (int i = 0; i < 100; i++)
        {
            if (breaker.TryAcquire(out var permit))
            {
                permit.RecordFailure();
            }
        }

        var s = breaker.Snapshot();
        Assert.Equal(BreakerState.Closed, s.State);
        Assert.True(s.ThrottledCalls > 0 && s.ThrottleProbability > 0.5, $"throttled {s.ThrottledCalls}, p = {s.ThrottleProbability}");
        return breaker;
    }
}
