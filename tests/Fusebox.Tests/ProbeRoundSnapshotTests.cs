using Fusebox.Coordination;
using Fusebox.Tests.Support;

namespace Fusebox.Tests;

/// <summary><see cref="CircuitSnapshot.Probes"/>: the half-open round's permits, probes in flight and successes so far.</summary>
public class ProbeRoundSnapshotTests
{
    [Fact]
    public void Only_a_half_open_breaker_has_a_probe_round()
    {
        var (breaker, time) = TestBreakers.Create(new CircuitBreakerOptions { HalfOpenPermits = 3, SuccessesToClose = 2 });
        Assert.Null(breaker.Snapshot().Probes);

        breaker.Trip();
        Assert.Null(breaker.Snapshot().Probes);

        // the break is over but no call has moved it yet: the round the next call starts
        time.Advance(breaker.Options.BreakDuration);
        Assert.Equal(new ProbeRound { Permits = 3, InFlight = 0, Free = 3, Succeeded = 0, SuccessesToClose = 2 }, breaker.Snapshot().Probes);
    }

    [Fact]
    public void The_round_counts_probes_in_flight_and_successes_until_it_closes()
    {
        var (breaker, time) = TestBreakers.Create(new CircuitBreakerOptions { HalfOpenPermits = 3, SuccessesToClose = 2 });
        breaker.Trip();
        time.Advance(breaker.Options.BreakDuration);
        Assert.True(breaker.TryAcquire(out var first));
        Assert.True(breaker.TryAcquire(out var second));
        Assert.Equal(new ProbeRound { Permits = 3, InFlight = 2, Free = 1, Succeeded = 0, SuccessesToClose = 2 }, breaker.Snapshot().Probes);

        first.RecordSuccess();
        Assert.Equal(new ProbeRound { Permits = 3, InFlight = 1, Free = 1, Succeeded = 1, SuccessesToClose = 2 }, breaker.Snapshot().Probes);

        second.RecordSuccess();
        Assert.Equal(BreakerState.Closed, breaker.State);
        Assert.Null(breaker.Snapshot().Probes);
    }

    [Fact]
    public void A_probe_past_its_timeout_is_no_longer_in_flight_and_its_permit_is_free_again()
    {
        var (breaker, time) = TestBreakers.Create(new CircuitBreakerOptions { HalfOpenPermits = 2, ProbeTimeout = TimeSpan.FromSeconds(5) });
        breaker.Trip();
        time.Advance(breaker.Options.BreakDuration);
        Assert.True(breaker.TryAcquire(out _));
        Assert.Equal((1, 1), (breaker.Snapshot().Probes!.InFlight, breaker.Snapshot().Probes!.Free));

        time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal((0, 2), (breaker.Snapshot().Probes!.InFlight, breaker.Snapshot().Probes!.Free));
    }

    [Fact]
    public void A_round_held_by_a_coordinator_counts_its_ungranted_permits_and_leaves_closing_to_it()
    {
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions { HalfOpenPermits = 3 });
        long g = breaker.ApplyExternal(new ExternalState { State = BreakerState.HalfOpen, ProbePermits = 0, CloseOnProbeSuccess = false });
        Assert.Equal(new ProbeRound { Permits = 3, InFlight = 0, Free = 0, NotGranted = 3, Succeeded = 0, SuccessesToClose = null }, breaker.Snapshot().Probes);

        breaker.GrantProbes(g, 1);
        Assert.True(breaker.TryAcquire(out _));

        Assert.Equal(new ProbeRound { Permits = 3, InFlight = 1, Free = 0, NotGranted = 2, Succeeded = 0, SuccessesToClose = null }, breaker.Snapshot().Probes);
    }

    [Fact]
    public void A_reconfiguration_during_the_round_does_not_change_what_closes_it()
    {
        var (breaker, time) = TestBreakers.Create(new CircuitBreakerOptions { HalfOpenPermits = 3, SuccessesToClose = 3 });
        breaker.Trip();
        time.Advance(breaker.Options.BreakDuration);
        Assert.True(breaker.TryAcquire(out var probe));
        probe.RecordSuccess();

        breaker.Reconfigure(new CircuitBreakerOptions { HalfOpenPermits = 5, SuccessesToClose = 1 });

        Assert.Equal((3, 1, 3), (breaker.Snapshot().Probes!.Permits, breaker.Snapshot().Probes!.Succeeded, breaker.Snapshot().Probes!.SuccessesToClose));
    }
}
