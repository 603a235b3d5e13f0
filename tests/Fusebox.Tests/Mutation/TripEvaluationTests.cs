using Fusebox.Tests.Support;

namespace Fusebox.Tests.Mutation;

/// <summary>
/// The trip condition is evaluated only after a failure or a slow call (docs/concepts.md): a fast success cannot raise
/// a rate, so a window that reached the threshold through its minimum-call count trips on the next failure, not on the
/// success that completed the count. Both windowed meters skip the evaluation the same way.
/// </summary>
public class TripEvaluationTests
{
    public static TheoryData<string> Policies => new() { "count", "time" };

    private static TripPolicy Policy(string kind) => kind == "count"
        ? TripPolicy.FailureRate(0.5, windowSize: 10, minimumCalls: 10)
        : TripPolicy.FailureRate(0.5, TimeSpan.FromMinutes(1), minimumCalls: 10);

    [Theory]
    [MemberData(nameof(Policies))]
    public void A_success_that_completes_the_minimum_does_not_trip_the_next_failure_does(string kind)
    {
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions { TripPolicy = Policy(kind) });
        breaker.FailTimes(5);
        for (int i = 0; i < 5; i++)
        {
            breaker.Succeed();
        }

        // 5 of 10 is at the threshold, but nothing that could raise the rate has happened since the minimum was reached.
        Assert.Equal(new WindowStatistics(10, 5, 0), breaker.Snapshot().Window);
        Assert.Equal(BreakerState.Closed, breaker.State);

        breaker.Fail();

        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.Equal(TransitionReason.FailureRate, breaker.Snapshot().LastReason);
    }
}
