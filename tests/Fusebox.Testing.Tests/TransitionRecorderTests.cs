using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Testing.Tests;

public class TransitionRecorderTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Records_a_real_trip_probe_and_close_with_reasons_in_order()
    {
        var breaker = TestBreakers.Create(_time, o =>
        {
            o.TripPolicy = TripPolicy.ConsecutiveFailures(2);
            o.BreakDuration = TimeSpan.FromSeconds(10);
            o.HalfOpenPermits = 1;
        });
        using var transitions = new TransitionRecorder(breaker);

        Report(breaker, success: false);
        Report(breaker, success: false);
        _time.Advance(TimeSpan.FromSeconds(10));
        Report(breaker, success: true);

        transitions.AssertTransitions(BreakerState.Open, BreakerState.HalfOpen, BreakerState.Closed);
        Assert.Equal(
            [TransitionReason.ConsecutiveFailures, TransitionReason.BreakElapsed, TransitionReason.ProbesSucceeded],
            transitions.Transitions.Select(t => t.Reason));
        Assert.Equal([BreakerState.Closed, BreakerState.Open, BreakerState.HalfOpen], transitions.Transitions.Select(t => t.OldState));
        Assert.Equal([BreakerState.Open, BreakerState.HalfOpen, BreakerState.Closed], transitions.States);
        Assert.Equal(_time.GetUtcNow(), transitions.Transitions[^1].Timestamp);
    }

    [Fact]
    public void A_failed_assertion_says_what_was_expected_and_lists_every_recorded_change()
    {
        var breaker = TestBreakers.Create(_time);
        using var transitions = new TransitionRecorder(breaker);
        breaker.ForceOpen(TimeSpan.FromSeconds(5), "dependency down");

        var ex = Assert.Throws<BreakerAssertionException>(() => transitions.AssertTransitions(BreakerState.Open, BreakerState.HalfOpen));

        Assert.StartsWith("Expected the breaker to enter Open → HalfOpen, but it changed 1 time(s):", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"  1. {breaker.Name}: Closed -> Open (External: dependency down) at ", ex.Message, StringComparison.Ordinal);
        Assert.Equal(nameof(A_failed_assertion_says_what_was_expected_and_lists_every_recorded_change), breaker.Name); // TestBreakers names it after the test
        var none = Assert.Throws<BreakerAssertionException>(() => new TransitionRecorder(breaker).AssertTransitions(BreakerState.Closed));
        Assert.Equal("Expected the breaker to enter Closed, but it did not change state.", none.Message);
    }

    [Fact]
    public void Clear_forgets_the_arrange_step_and_Dispose_stops_recording()
    {
        var breaker = TestBreakers.Create(_time);
        var transitions = new TransitionRecorder(breaker);
        breaker.ForceOpen(TimeSpan.FromSeconds(5));

        transitions.Clear();
        breaker.ForceClosed();
        transitions.AssertTransitions(BreakerState.Closed);

        transitions.Dispose();
        transitions.Dispose(); // twice is harmless
        breaker.ForceOpen(TimeSpan.FromSeconds(5));
        transitions.AssertTransitions(BreakerState.Closed);
    }

    [Fact]
    public void A_registry_recorder_sees_breakers_the_registry_creates_later()
    {
        using var registry = new CircuitBreakerRegistry(timeProvider: _time);
        using var transitions = new TransitionRecorder(registry);

        registry.GetOrAdd("a").ForceOpen(TimeSpan.FromSeconds(1));
        registry.GetOrAdd("b").ForceHalfOpen();

        Assert.Equal([("a", BreakerState.Open), ("b", BreakerState.HalfOpen)], transitions.Transitions.Select(t => (t.BreakerName, t.NewState)));
    }

    private static void Report(CircuitBreaker breaker, bool success)
    {
        Assert.True(breaker.TryAcquire(out var permit));
        if (success)
        {
            permit.RecordSuccess();
        }
        else
        {
            permit.RecordFailure();
        }
    }
}
