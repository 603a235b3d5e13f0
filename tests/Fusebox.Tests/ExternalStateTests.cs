using Fusebox.Tests.Support;

namespace Fusebox.Tests;

public class ExternalStateTests
{
    [Fact]
    public void Applying_open_rejects_with_the_given_break_and_raises_an_external_event()
    {
        var (breaker, time) = TestBreakers.Create();
        var events = new List<BreakerStateChangedEventArgs>();
        breaker.StateChanged += (_, e) => events.Add(e);

        long generation = breaker.ApplyExternal(new ExternalState
        {
            State = BreakerState.Open, OpenFor = TimeSpan.FromSeconds(7), Description = "cluster: opened by r2",
        });

        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.Equal(1, generation);
        Assert.False(breaker.TryAcquire(out _, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(7), retryAfter);
        var e = Assert.Single(events);
        Assert.Equal(TransitionReason.External, e.Reason);
        Assert.Equal("cluster: opened by r2", e.Description);
        Assert.Equal(TransitionReason.External, breaker.Snapshot().LastReason);

        time.Advance(TimeSpan.FromSeconds(7));
        Assert.True(breaker.TryAcquire(out var probe));
        Assert.True(probe.IsProbe); // the lease ended: the replica probes on its own, as a local breaker would
    }

    [Fact]
    public void Applying_open_without_a_duration_uses_the_breaker_backoff_for_the_consecutive_opens()
    {
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions
        {
            BreakDuration = TimeSpan.FromSeconds(10), BreakDurationBackoff = 2, MaxBreakDuration = TimeSpan.FromMinutes(5),
        });

        breaker.ApplyExternal(new ExternalState { State = BreakerState.Open, ConsecutiveOpens = 2 });

        Assert.Equal(TimeSpan.FromSeconds(40), breaker.Snapshot().RetryAfter);
        Assert.Equal(2, breaker.Snapshot().ConsecutiveOpens);
    }

    [Fact]
    public void Applying_the_state_already_in_force_for_closed_isolated_or_disabled_changes_nothing()
    {
        var (breaker, _) = TestBreakers.Create();
        int events = 0;
        breaker.StateChanged += (_, _) => events++;

        Assert.Equal(0, breaker.ApplyExternal(new ExternalState { State = BreakerState.Closed }));
        breaker.ApplyExternal(new ExternalState { State = BreakerState.Isolated });
        long g = breaker.ApplyExternal(new ExternalState { State = BreakerState.Isolated });

        Assert.Equal(1, g);
        Assert.Equal(1, events);
    }

    [Fact]
    public void Reapplying_open_starts_a_new_generation_with_the_new_break_end()
    {
        var (breaker, _) = TestBreakers.Create();
        long first = breaker.ApplyExternal(new ExternalState { State = BreakerState.Open, OpenFor = TimeSpan.FromSeconds(5) });
        long second = breaker.ApplyExternal(new ExternalState { State = BreakerState.Open, OpenFor = TimeSpan.FromSeconds(9) });

        Assert.Equal(first + 1, second);
        Assert.Equal(TimeSpan.FromSeconds(9), breaker.Snapshot().RetryAfter);
    }

    [Fact]
    public void Conditional_apply_fails_when_a_local_transition_happened_first()
    {
        var (breaker, _) = TestBreakers.Create();
        long seen = breaker.Generation;
        breaker.Trip(); // a local change the coordinator has not seen

        bool applied = breaker.TryApplyExternal(new ExternalState { State = BreakerState.Closed }, seen, out long now);

        Assert.False(applied);
        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.Equal(breaker.Generation, now);
        Assert.True(breaker.TryApplyExternal(new ExternalState { State = BreakerState.Closed }, now, out _));
        Assert.Equal(BreakerState.Closed, breaker.State);
    }

    [Fact]
    public void Held_half_open_admits_no_probe_until_granted_then_exactly_the_granted_number()
    {
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions { HalfOpenPermits = 3 });
        long g = breaker.ApplyExternal(new ExternalState { State = BreakerState.HalfOpen, ProbePermits = 0, CloseOnProbeSuccess = false });

        Assert.False(breaker.TryAcquire(out _));
        Assert.Equal(new HalfOpenProgress(g, 0, 0, 3, 3), breaker.GetHalfOpenProgress());

        Assert.Equal(2, breaker.GrantProbes(g, 2));
        Assert.True(breaker.TryAcquire(out var p1));
        Assert.True(breaker.TryAcquire(out var p2));
        Assert.False(breaker.TryAcquire(out _));
        Assert.True(p1.IsProbe && p2.IsProbe);

        Assert.Equal(1, breaker.GrantProbes(g, 5)); // only one ungranted slot was left
        Assert.Equal(0, breaker.GrantProbes(g, 1));
        Assert.Equal(0, breaker.GrantProbes(g + 1, 1)); // another round
    }

    [Fact]
    public void Held_half_open_counts_successes_but_does_not_close_by_itself()
    {
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions { HalfOpenPermits = 2 });
        long g = breaker.ApplyExternal(new ExternalState { State = BreakerState.HalfOpen, ProbePermits = 2, CloseOnProbeSuccess = false });

        breaker.Succeed();
        breaker.Succeed();

        Assert.Equal(BreakerState.HalfOpen, breaker.State);
        Assert.Equal(2, breaker.GetHalfOpenProgress()!.Value.Successes);
        Assert.Equal(g, breaker.Generation);
        breaker.ApplyExternal(new ExternalState { State = BreakerState.Closed, Description = "cluster: probes succeeded" });
        Assert.Equal(BreakerState.Closed, breaker.State);
    }

    [Fact]
    public void A_failed_probe_in_an_external_round_reopens_locally_with_the_next_backoff_step()
    {
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions
        {
            HalfOpenPermits = 1, BreakDuration = TimeSpan.FromSeconds(10), BreakDurationBackoff = 2, MaxBreakDuration = TimeSpan.FromMinutes(1),
        });
        breaker.ApplyExternal(new ExternalState { State = BreakerState.HalfOpen, ProbePermits = 1, CloseOnProbeSuccess = false, ConsecutiveOpens = 1 });

        breaker.Fail();

        var s = breaker.Snapshot();
        Assert.Equal(BreakerState.Open, s.State);
        Assert.Equal(TransitionReason.ProbeFailed, s.LastReason);
        Assert.Equal(2, s.ConsecutiveOpens);
        Assert.Equal(TimeSpan.FromSeconds(40), s.RetryAfter);
    }

    [Fact]
    public void An_external_round_that_may_close_closes_after_the_configured_successes()
    {
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions { HalfOpenPermits = 3, SuccessesToClose = 2 });
        breaker.ApplyExternal(new ExternalState { State = BreakerState.HalfOpen });

        breaker.Succeed();
        breaker.Succeed();

        Assert.Equal(BreakerState.Closed, breaker.State);
        Assert.Equal(TransitionReason.ProbesSucceeded, breaker.Snapshot().LastReason);
    }

    [Fact]
    public void Permits_from_before_an_external_change_report_as_ignored()
    {
        var (breaker, _) = TestBreakers.Create();
        Assert.True(breaker.TryAcquire(out var old));

        breaker.ApplyExternal(new ExternalState { State = BreakerState.Open, OpenFor = TimeSpan.FromSeconds(1) });
        breaker.ApplyExternal(new ExternalState { State = BreakerState.Closed });
        old.RecordFailure();

        var s = breaker.Snapshot();
        Assert.Equal(1, s.IgnoredCalls);
        Assert.Equal(0, s.Window.Failures);
    }

    [Fact]
    public void Adopting_closed_clears_the_window_when_asked_or_when_coming_from_another_state()
    {
        var (breaker, _) = TestBreakers.Create();
        breaker.FailTimes(3);

        breaker.ApplyExternal(new ExternalState { State = BreakerState.Closed });
        Assert.Equal(3, breaker.Snapshot().Window.Failures); // already closed: the window is kept

        breaker.ApplyExternal(new ExternalState { State = BreakerState.Closed, ClearWindow = true });
        Assert.Equal(0, breaker.Snapshot().Window.Failures);

        breaker.FailTimes(3);
        breaker.ApplyExternal(new ExternalState { State = BreakerState.Isolated });
        breaker.ApplyExternal(new ExternalState { State = BreakerState.Closed });
        Assert.Equal(0, breaker.Snapshot().Window.Failures);
    }

    [Fact]
    public void Call_counts_match_the_snapshot()
    {
        var (breaker, _) = TestBreakers.Create();
        breaker.Succeed();
        breaker.FailTimes(5);
        Assert.False(breaker.TryAcquire(out _));

        var counts = breaker.ReadCallCounts();
        var s = breaker.Snapshot();
        Assert.Equal(new CallCounts(s.SuccessfulCalls, s.FailedCalls, s.RejectedCalls, s.IgnoredCalls, s.SlowCalls), counts);
        Assert.Equal(new CallCounts(1, 5, 1, 0, 0), counts);
    }

    [Fact]
    public void Out_of_range_values_are_rejected()
    {
        var (breaker, _) = TestBreakers.Create();
        Assert.Throws<ArgumentOutOfRangeException>(() => breaker.ApplyExternal(new ExternalState { State = BreakerState.Open, OpenFor = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => breaker.ApplyExternal(new ExternalState { State = BreakerState.HalfOpen, ProbePermits = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => breaker.ApplyExternal(new ExternalState { State = (BreakerState)42 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => breaker.GrantProbes(0, -1));
        Assert.Equal(BreakerState.Closed, breaker.State);
    }

    [Fact]
    public async Task Racing_grants_and_claims_never_admit_more_probes_than_granted()
    {
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions { HalfOpenPermits = 5 });
        long g = breaker.ApplyExternal(new ExternalState { State = BreakerState.HalfOpen, ProbePermits = 0, CloseOnProbeSuccess = false });
        int admitted = 0;
        bool granting = true;
        using var start = new Barrier(5);

        var claimers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            // Keep claiming until every grant is made and then some more: nothing beyond the grants may get in.
            // The flag is read before the claim, so the last claims happen after the last grant.
            for (int i = 0; ; i++)
            {
                bool stillGranting = Volatile.Read(ref granting);
                if (breaker.TryAcquire(out var p))
                {
                    Interlocked.Increment(ref admitted);
                    Assert.True(p.IsProbe);
                }

                if (!stillGranting && i >= 20_000)
                {
                    break;
                }
            }
        })).ToList();
        claimers.Add(Task.Run(() =>
        {
            start.SignalAndWait();
            for (int i = 0; i < 3; i++)
            {
                breaker.GrantProbes(g, 1);
                Thread.Yield();
            }

            Volatile.Write(ref granting, false);
        }));
        await Task.WhenAll(claimers);

        Assert.Equal(3, admitted);
    }

    [Fact]
    public void A_coordinator_reports_in_the_snapshot_only_while_it_shares_the_breaker()
    {
        var breaker = new CircuitBreaker("shared", new CircuitBreakerOptions());
        Assert.Null(breaker.Snapshot().Coordination);

        int asked = 0;
        breaker.SetCoordination(() => new CoordinationStatus { Coordinator = "test", Scope = $"asked {++asked}", LocalFallback = true });
        breaker.TryAcquire(out var permit);
        permit.RecordSuccess();
        Assert.Equal(0, asked); // never on the call path

        var coordination = breaker.Snapshot().Coordination;
        Assert.Equal(("test", "asked 1", true), (coordination!.Coordinator, coordination.Scope, coordination.LocalFallback));

        breaker.SetCoordination(null);
        Assert.Null(breaker.Snapshot().Coordination);
    }
}
