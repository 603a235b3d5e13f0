using Fusebox.Tests.Support;

namespace Fusebox.Tests.Statistics;

public class TransitionRingTests
{
    [Fact]
    public void Recent_transitions_are_empty_before_the_first_and_kept_without_statistics()
    {
        var (breaker, time) = TestBreakers.Create(new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(1), HalfOpenPermits = 1 });
        Assert.Empty(breaker.Snapshot().RecentTransitions);

        breaker.Fail();
        var openedAt = time.GetUtcNow();
        time.Advance(TimeSpan.FromSeconds(30));
        breaker.Succeed();

        Assert.Null(breaker.Snapshot().Statistics);
        Assert.Equal(
        [
            new TransitionRecord(openedAt, BreakerState.Closed, BreakerState.Open, TransitionReason.ConsecutiveFailures, "1 consecutive failures", 1),
            new TransitionRecord(time.GetUtcNow(), BreakerState.Open, BreakerState.HalfOpen, TransitionReason.BreakElapsed, "break duration elapsed", 2),
            new TransitionRecord(time.GetUtcNow(), BreakerState.HalfOpen, BreakerState.Closed, TransitionReason.ProbesSucceeded, "1 half-open probes succeeded", 3),
        ], breaker.Snapshot().RecentTransitions);
    }

    [Fact]
    public void The_last_32_are_kept_oldest_first_when_the_ring_wraps()
    {
        var (breaker, time) = TestBreakers.Create();
        for (int i = 0; i < 50; i++)
        {
            breaker.Isolate($"drill {i}");
            time.Advance(TimeSpan.FromSeconds(1));
            breaker.Reset();
        }

        var transitions = breaker.Snapshot().RecentTransitions;
        Assert.Equal(32, transitions.Count);
        Assert.Equal(Enumerable.Range(69, 32).Select(g => (long)g), transitions.Select(t => t.Generation)); // 100 transitions, the last 32
        Assert.Equal("drill 34", transitions[0].Description);
        Assert.Equal((BreakerState.Isolated, BreakerState.Closed), (transitions[^1].From, transitions[^1].To));
        Assert.All(transitions.Zip(transitions.Skip(1)), pair => Assert.True(pair.First.At <= pair.Second.At));
    }
}
