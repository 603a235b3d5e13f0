using Fusebox.Tests.Support;

namespace Fusebox.Tests;

public class ManualControlTests
{
    [Fact]
    public void Isolate_rejects_everything_until_reset_even_after_the_break()
    {
        var (breaker, time) = TestBreakers.Create();

        breaker.Isolate("maintenance by alice");
        time.Advance(TimeSpan.FromDays(1));

        var ex = Assert.Throws<CircuitOpenException>(() => breaker.Execute(_ => 42));
        Assert.Equal(BreakerState.Isolated, ex.State);
        Assert.Null(ex.RetryAfter);
        Assert.Contains("isolated", ex.Message, StringComparison.Ordinal);
        Assert.Equal("maintenance by alice", breaker.Snapshot().LastReasonDescription);

        breaker.Reset();
        Assert.Equal(42, breaker.Execute(_ => 42));
    }

    [Fact]
    public void Disable_keeps_calls_flowing_and_measured_but_never_trips()
    {
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions { TripPolicy = TripPolicy.FailureRate(0.5, 10, 2) });

        breaker.Disable();
        breaker.FailTimes(20);

        Assert.Equal(BreakerState.Disabled, breaker.State);
        var s = breaker.Snapshot();
        Assert.Equal(20, s.FailedCalls);
        Assert.Equal(10, s.Window.Calls);
        Assert.Equal(1.0, s.FailureRate);
    }

    [Fact]
    public void Reset_from_open_closes_and_clears_the_window()
    {
        var (breaker, _) = TestBreakers.Create();
        breaker.FailTimes(4);
        breaker.Reset();
        breaker.FailTimes(4);
        Assert.Equal(BreakerState.Closed, breaker.State);

        breaker.Trip();
        breaker.Reset();

        Assert.Equal(BreakerState.Closed, breaker.State);
        Assert.Equal(0, breaker.Snapshot().Window.Failures);
        Assert.Equal(TransitionReason.ManualReset, breaker.Snapshot().LastReason);
    }

    [Fact]
    public void Reset_clears_the_break_duration_backoff()
    {
        var (breaker, time) = TestBreakers.Create(new CircuitBreakerOptions
        {
            BreakDurationBackoff = 2,
            MaxBreakDuration = TimeSpan.FromMinutes(10),
            HalfOpenPermits = 1,
        });
        breaker.Trip();
        time.Advance(TimeSpan.FromSeconds(30));
        breaker.Fail(); // re-open: 60 s
        Assert.Equal(TimeSpan.FromSeconds(60), breaker.Snapshot().RetryAfter);

        breaker.Reset();
        breaker.Trip();

        Assert.Equal(TimeSpan.FromSeconds(30), breaker.Snapshot().RetryAfter);
    }

    [Fact]
    public void Repeating_a_manual_state_is_not_a_transition()
    {
        var (breaker, _) = TestBreakers.Create();
        breaker.Disable();
        breaker.Disable();
        breaker.Isolate();
        breaker.Isolate();

        Assert.Equal(2, breaker.Snapshot().StateChanges);
    }

    [Theory]
    [InlineData(BreakerState.Isolated)]
    [InlineData(BreakerState.Disabled)]
    [InlineData(BreakerState.Closed)]
    public void Manual_control_overrides_half_open(BreakerState target)
    {
        var (breaker, time) = TestBreakers.Create();
        breaker.Trip();
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(breaker.TryAcquire(out var probe));

        switch (target)
        {
            case BreakerState.Isolated: breaker.Isolate(); break;
            case BreakerState.Disabled: breaker.Disable(); break;
            default: breaker.Reset(); break;
        }

        probe.RecordFailure(); // from the half-open generation: ignored
        Assert.Equal(target, breaker.State);
    }

    [Fact]
    public void Every_manual_command_is_reported_whether_or_not_it_changed_the_state()
    {
        var breaker = new CircuitBreaker("manual", new CircuitBreakerOptions());
        var commands = new List<(BreakerState Target, TransitionReason Command, string? Description, bool Changed)>();
        var changes = new List<BreakerState>();
        breaker.StateChanged += (_, e) => changes.Add(e.NewState);
        breaker.ManualControl += (_, e) => throw new InvalidOperationException("an observer's bug"); // shielded
        breaker.ManualControl += (sender, e) =>
        {
            Assert.Same(breaker, sender);
            Assert.Equal("manual", e.BreakerName);
            commands.Add((e.Target, e.Command, e.Description, e.StateChanged));
        };

        breaker.Reset("already closed");
        breaker.Isolate("maintenance");
        breaker.Isolate("again");
        breaker.Disable(null);
        breaker.Reset("done");

        Assert.Equal(
        [
            (BreakerState.Closed, TransitionReason.ManualReset, "already closed", false),
            (BreakerState.Isolated, TransitionReason.ManualIsolate, "maintenance", true),
            (BreakerState.Isolated, TransitionReason.ManualIsolate, "again", false),
            (BreakerState.Disabled, TransitionReason.ManualDisable, null, false), // isolation ends only with a reset
            (BreakerState.Closed, TransitionReason.ManualReset, "done", true),
        ], commands);
        Assert.Equal([BreakerState.Isolated, BreakerState.Closed], changes);
    }

    [Fact]
    public void Disable_does_not_end_an_isolation_only_reset_does()
    {
        var (breaker, _) = TestBreakers.Create();
        breaker.Isolate("maintenance");

        breaker.Disable("someone pressed disable");

        Assert.Equal(BreakerState.Isolated, breaker.State);
        Assert.False(breaker.TryAcquire(out _));
        breaker.Reset();
        Assert.Equal(BreakerState.Closed, breaker.State);
    }
}
