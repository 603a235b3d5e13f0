using Fusebox.Coordination;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Testing.Tests;

public class ForceStateTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Forced_open_rejects_with_the_given_retry_after_and_the_call_after_the_break_is_a_probe()
    {
        var breaker = TestBreakers.Create(_time);
        using var transitions = new TransitionRecorder(breaker);
        int runs = 0;

        breaker.ForceOpen(TimeSpan.FromSeconds(5));

        Assert.False(breaker.TryAcquire(out _, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(5), retryAfter);
        var rejected = await Assert.ThrowsAsync<CircuitOpenException>(async () => await breaker.ExecuteAsync(ct => ValueTask.FromResult(++runs)));
        Assert.Equal(TimeSpan.FromSeconds(5), rejected.RetryAfter);

        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(TimeSpan.FromSeconds(1), breaker.Snapshot().RetryAfter);
        Assert.False(breaker.TryAcquire(out _));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await breaker.ExecuteAsync(ct => ValueTask.FromResult(++runs)));

        Assert.Equal(1, runs);
        transitions.AssertTransitions(BreakerState.Open, BreakerState.HalfOpen);
        Assert.Equal(TransitionReason.External, transitions.Transitions[0].Reason);
        Assert.Equal(TransitionReason.BreakElapsed, transitions.Transitions[1].Reason);
        Assert.Equal(1, breaker.GetHalfOpenProgress()?.Successes); // the call was the round's first probe
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(86_400_001)]
    public void ForceOpen_refuses_a_break_outside_its_range_naming_the_parameter(long milliseconds)
    {
        var breaker = TestBreakers.Create(_time);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => breaker.ForceOpen(TimeSpan.FromMilliseconds(milliseconds)));

        Assert.Equal("retryAfter", ex.ParamName);
        Assert.Contains("at most 1.00:00:00", ex.Message, StringComparison.Ordinal);
        Assert.Equal(BreakerState.Closed, breaker.State);
    }

    [Fact]
    public void ForceOpen_without_a_duration_opens_for_the_breakers_own_jittered_break()
    {
        var breaker = TestBreakers.Create(_time, o =>
        {
            o.BreakDuration = TimeSpan.FromSeconds(30);
            o.BreakDurationJitter = 0.2;
            o.JitterSource = JitterSources.Fixed(0.5);
        });

        breaker.ForceOpen();

        Assert.Equal(TimeSpan.FromSeconds(27), breaker.Snapshot().RetryAfter);
    }

    [Fact]
    public void A_permit_taken_before_the_forced_change_reports_as_ignored()
    {
        var breaker = TestBreakers.Create(_time, o => o.TripPolicy = TripPolicy.ConsecutiveFailures(1));
        Assert.True(breaker.TryAcquire(out var permit));

        breaker.ForceOpen(TimeSpan.FromSeconds(5));
        permit.RecordSuccess();

        var snapshot = breaker.Snapshot();
        Assert.Equal(BreakerState.Open, snapshot.State);
        Assert.Equal(1, snapshot.IgnoredCalls);
        Assert.Equal(0, snapshot.SuccessfulCalls);
    }

    [Fact]
    public void Forced_half_open_admits_exactly_its_probes_and_closes_after_the_successes_it_needs()
    {
        var breaker = TestBreakers.Create(_time, o => { o.HalfOpenPermits = 2; o.SuccessesToClose = 2; });
        using var transitions = new TransitionRecorder(breaker);

        breaker.ForceHalfOpen(probePermits: 4);

        var probes = new List<CircuitPermit>();
        while (breaker.TryAcquire(out var probe))
        {
            probes.Add(probe);
        }

        Assert.Equal(4, probes.Count);
        probes[0].RecordSuccess();
        Assert.Equal(BreakerState.HalfOpen, breaker.State);
        probes[1].RecordSuccess();
        Assert.Equal(BreakerState.Closed, breaker.State);
        transitions.AssertTransitions(BreakerState.HalfOpen, BreakerState.Closed);
        Assert.Equal(TransitionReason.ProbesSucceeded, transitions.Transitions[^1].Reason);
    }

    [Fact]
    public void Forced_half_open_has_the_breakers_own_permits_by_default_and_a_failed_probe_reopens_it()
    {
        var breaker = TestBreakers.Create(_time, o => { o.HalfOpenPermits = 3; o.BreakDuration = TimeSpan.FromSeconds(10); });

        breaker.ForceHalfOpen();

        Assert.Equal(3, breaker.Snapshot().FreeProbeSlots);
        Assert.True(breaker.TryAcquire(out var probe));
        probe.RecordFailure();
        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.Equal(TimeSpan.FromSeconds(10), breaker.Snapshot().RetryAfter);
    }

    [Fact]
    public void Forced_half_open_refuses_fewer_probes_than_the_round_needs_to_close()
    {
        var breaker = TestBreakers.Create(_time, o => { o.HalfOpenPermits = 3; o.SuccessesToClose = 2; });

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => breaker.ForceHalfOpen(probePermits: 1));

        Assert.Equal("probePermits", ex.ParamName);
        Assert.Contains("[2, 1000]", ex.Message, StringComparison.Ordinal);
        Assert.Equal(BreakerState.Closed, breaker.State);
        breaker.ForceHalfOpen(probePermits: 2); // the least that can close
        Assert.Equal(2, breaker.Snapshot().FreeProbeSlots);
    }

    [Fact]
    public void Forced_closed_empties_the_window_so_counting_starts_again()
    {
        var breaker = TestBreakers.Create(_time, o => o.TripPolicy = TripPolicy.ConsecutiveFailures(3));
        using var transitions = new TransitionRecorder(breaker);
        Fail(breaker, 2);

        breaker.ForceClosed(); // already closed: no transition, but the two failures are forgotten

        Fail(breaker, 2);
        Assert.Equal(BreakerState.Closed, breaker.State);
        transitions.AssertTransitions();
        Fail(breaker, 1);
        Assert.Equal(BreakerState.Open, breaker.State);

        breaker.ForceClosed();
        Assert.Equal(BreakerState.Closed, breaker.State);
        transitions.AssertTransitions(BreakerState.Open, BreakerState.Closed);
    }

    [Theory]
    [InlineData(BreakerState.Closed)]
    [InlineData(BreakerState.Open)]
    [InlineData(BreakerState.HalfOpen)]
    [InlineData(BreakerState.Isolated)]
    [InlineData(BreakerState.Disabled)]
    public void ForceState_reaches_every_state_and_the_breaker_behaves_as_in_it(BreakerState state)
    {
        var breaker = TestBreakers.Create(_time);
        breaker.ForceState(state == BreakerState.Isolated ? BreakerState.Disabled : BreakerState.Isolated); // so each case is a real change

        breaker.ForceState(state);

        Assert.Equal(state, breaker.State);
        bool admitted = breaker.TryAcquire(out var permit);
        Assert.Equal(state is not (BreakerState.Open or BreakerState.Isolated), admitted);
        if (admitted)
        {
            permit.RecordSuccess();
        }
    }

    [Fact]
    public void ForceState_refuses_an_undefined_state()
    {
        var breaker = TestBreakers.Create(_time);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => breaker.ForceState((BreakerState)42));

        Assert.Equal("state", ex.ParamName);
    }

    private static void Fail(CircuitBreaker breaker, int times)
    {
        for (int i = 0; i < times; i++)
        {
            Assert.True(breaker.TryAcquire(out var permit));
            permit.RecordFailure();
        }
    }
}
