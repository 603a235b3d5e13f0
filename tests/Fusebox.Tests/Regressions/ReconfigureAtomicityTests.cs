using Fusebox.Tests.Support;

namespace Fusebox.Tests.Regressions;

/// <summary>Reconfigure applies one whole set of options at a time: issue 12, items 3 and 4.</summary>
public class ReconfigureAtomicityTests
{
    [Fact]
    public void Overlapping_reconfigures_never_pair_one_policy_with_another_policys_window()
    {
        // Reload A (a time window) is under way when reload B (one failure trips) runs: B runs from inside A, at the
        // moment A reads its policy's RequiresClock, as a second thread would. Whichever wins, the breaker must run
        // one of the two configurations whole, and report the one it runs.
        var (breaker, _) = TestBreakers.Create();
        var reloadB = new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(1) };
        var reloadA = new CircuitBreakerOptions
        {
            TripPolicy = new InterleavingPolicy(TripPolicy.FailureRate(0.5, TimeSpan.FromSeconds(10), 4), () => breaker.Reconfigure(reloadB)),
        };

        breaker.Reconfigure(reloadA);

        bool runsA = breaker.Options.TripPolicy is InterleavingPolicy;
        breaker.Fail();
        var expected = runsA ? BreakerState.Closed : BreakerState.Open; // A needs 4 calls; B trips on the first failure
        Assert.Equal(expected, breaker.State);
    }

    [Fact]
    public void Turning_on_a_slow_call_threshold_does_not_count_calls_already_in_flight_as_slow()
    {
        var (breaker, time) = TestBreakers.Create();
        Assert.True(breaker.TryAcquire(out var inFlight));
        time.Advance(TimeSpan.FromMilliseconds(5));

        breaker.Reconfigure(new CircuitBreakerOptions
        {
            SlowCallThreshold = TimeSpan.FromSeconds(1),
            TripPolicy = TripPolicy.SlowCallRate(0.5, windowSize: 2, minimumCalls: 1),
        });
        inFlight.RecordSuccess(); // took 5 ms: not slow, and it was not timed anyway

        Assert.Equal(0, breaker.Snapshot().SlowCalls);
        Assert.Equal(BreakerState.Closed, breaker.State);
    }

    [Fact]
    public void A_half_open_round_keeps_the_rules_it_started_with()
    {
        var (breaker, time) = TestBreakers.Create(new CircuitBreakerOptions { HalfOpenPermits = 1 });
        breaker.Trip();
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(breaker.TryAcquire(out var probe)); // the round: 1 permit, 1 success to close

        breaker.Reconfigure(new CircuitBreakerOptions { HalfOpenPermits = 5, SuccessesToClose = 5 });
        probe.RecordSuccess();

        Assert.Equal(BreakerState.Closed, breaker.State);
    }

    [Fact]
    public void A_probe_failure_that_races_a_reconfigure_still_reopens_the_breaker()
    {
        // The probe's report reads the clock (slow-call timing) after it read the state; the reconfigure lands
        // there. The failure belongs to the same round, so it must still reopen the breaker, not be dropped.
        var time = new HookedTimeProvider();
        var options = new CircuitBreakerOptions { HalfOpenPermits = 1, SlowCallThreshold = TimeSpan.FromSeconds(10) };
        var breaker = TestBreakers.Create(time, options);
        breaker.Trip();
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(breaker.TryAcquire(out var probe));
        time.OnNextTimestamp(() => breaker.Reconfigure(new CircuitBreakerOptions { HalfOpenPermits = 1, SlowCallThreshold = TimeSpan.FromSeconds(20) }));

        probe.RecordFailure();

        Assert.False(time.Armed);
        Assert.Equal(BreakerState.Open, breaker.State);
    }

    [Fact]
    public async Task A_call_that_spans_a_reconfigure_is_classified_by_the_settings_in_force_when_it_completes_in_every_style()
    {
        // One call through the closed fast path (no permit) and one through a permit, both in flight while the
        // result predicate is removed: both must be classified the same way, by the predicate in force at completion.
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions { ShouldHandleResult = ResultPredicate.Handle<int>(static i => i < 0) });
        var pending = new TaskCompletionSource<int>();
        var viaFastPath = breaker.ExecuteAsync(_ => new ValueTask<int>(pending.Task));
        Assert.True(breaker.TryAcquire(out var viaPermit));

        breaker.Reconfigure(new CircuitBreakerOptions());
        pending.SetResult(-1);
        Assert.Equal(-1, await viaFastPath);
        viaPermit.RecordResult(-1);

        var s = breaker.Snapshot();
        Assert.Equal((2, 0), (s.SuccessfulCalls, s.FailedCalls));
    }

    /// <summary>A policy that runs an action the first time the breaker asks whether it needs the clock.</summary>
    private sealed class InterleavingPolicy(TripPolicy inner, Action interleave) : TripPolicy
    {
        private Action? _interleave = interleave;

        public override bool RequiresClock
        {
            get
            {
                Interlocked.Exchange(ref _interleave, null)?.Invoke();
                return inner.RequiresClock;
            }
        }

        public override bool UsesSlowCalls => inner.UsesSlowCalls;

        public override TripMeter CreateMeter() => inner.CreateMeter();
    }
}
