using Fusebox.Tests.Support;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Tests.Shadow;

public class ShadowModeTests
{
    [Fact]
    public async Task A_tripped_shadow_breaker_admits_every_call_and_counts_each_would_be_rejection()
    {
        var (breaker, time) = TestBreakers.Create(new CircuitBreakerOptions { ShadowMode = true, BreakDuration = TimeSpan.FromSeconds(30) });
        var changes = new List<BreakerStateChangedEventArgs>();
        breaker.StateChanged += (_, e) => changes.Add(e);
        breaker.FailTimes(5);
        Assert.Equal(BreakerState.Open, breaker.State);

        Assert.Equal(1, await breaker.ExecuteAsync(_ => ValueTask.FromResult(1)));
        Assert.True((await breaker.TryExecuteAsync(_ => ValueTask.FromResult(2))).HasValue);
        Assert.Equal(3, breaker.Execute(_ => 3));
        Assert.True(breaker.TryExecute(_ => 4).HasValue);
        Assert.True(breaker.TryAcquire(out var permit));
        permit.RecordFailure(); // a failure of a call the breaker would have rejected changes nothing
        time.Advance(TimeSpan.FromSeconds(29));
        breaker.Succeed();

        var snapshot = breaker.Snapshot();
        Assert.Equal(BreakerState.Open, snapshot.State); // still within the break it would have kept
        Assert.True(snapshot.ShadowMode);
        Assert.Equal((6L, 0L), (snapshot.ShadowRejectedCalls, snapshot.RejectedCalls));
        Assert.Equal((5L, 6L), (snapshot.SuccessfulCalls, snapshot.FailedCalls)); // the shadow calls' outcomes are counted
        Assert.Equal((BreakerState.Closed, BreakerState.Open, true), (changes[0].OldState, changes[0].NewState, changes[0].IsShadow));
        Assert.StartsWith("test: (shadow) Closed -> Open", changes[0].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Half_open_probes_still_decide_and_the_calls_beyond_them_run_as_shadow_calls()
    {
        var (breaker, time) = TestBreakers.Create(new CircuitBreakerOptions { ShadowMode = true, HalfOpenPermits = 2 });
        breaker.Trip();
        time.Advance(TimeSpan.FromSeconds(30));

        Assert.True(breaker.TryAcquire(out var first));
        Assert.True(breaker.TryAcquire(out var second));
        Assert.True(breaker.TryAcquire(out var beyond));
        Assert.Equal((true, true, false), (first.IsProbe, second.IsProbe, beyond.IsProbe));
        beyond.RecordFailure(); // not a probe: cannot re-open
        Assert.Equal(BreakerState.HalfOpen, breaker.State);
        first.RecordSuccess();
        second.RecordSuccess();

        Assert.Equal(BreakerState.Closed, breaker.State);
        Assert.Equal(1, breaker.Snapshot().ShadowRejectedCalls);
    }

    [Fact]
    public void An_operators_isolation_is_obeyed_by_a_shadow_breaker()
    {
        // Shadow mode observes the breaker's own decisions; an operator who isolates a dependency during an incident
        // means "stop calling it now" (it admitted the call and counted a would-be rejection before).
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions { ShadowMode = true });
        breaker.Isolate();

        var ex = Assert.Throws<CircuitOpenException>(() => breaker.Execute(static _ => 1));

        Assert.Equal(BreakerState.Isolated, ex.State);
        Assert.Equal((0L, 1L), (breaker.Snapshot().ShadowRejectedCalls, breaker.Snapshot().RejectedCalls));
        breaker.Reset();
        Assert.Equal(1, breaker.Execute(static _ => 1));
    }

    [Fact]
    public void Shadow_throttling_counts_would_be_throttled_calls_and_rejects_none()
    {
        double draw = 0.9;
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions
        {
            ShadowMode = true,
            TripPolicy = TripPolicy.ConsecutiveFailures(1000),
            AdaptiveThrottling = new AdaptiveThrottlingOptions { RandomSource = () => draw },
        });
        breaker.FailTimes(3);
        draw = 0;
        breaker.Succeed();
        breaker.Succeed();

        var snapshot = breaker.Snapshot();
        Assert.Equal((2L, 0L, 0L), (snapshot.ShadowRejectedCalls, snapshot.ThrottledCalls, snapshot.RejectedCalls));
        Assert.Equal(5 / 6.0, snapshot.ThrottleProbability); // the would-be throttled calls count as requests, not accepts
    }

    /// <summary>
    /// The behaviour model: a shadow breaker must go through exactly the states of a real breaker with the same
    /// options that sees the same outcomes for the calls it admits, and must count as would-be rejections exactly
    /// the calls the real one rejects (whatever the calls it admits only in shadow do). Random traffic, random
    /// outcomes, a fake clock, every state compared after every call.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_shadow_breaker_goes_through_the_states_a_real_one_would_and_counts_its_rejections_exactly(int seed)
    {
        var time = new FakeTimeProvider();
        CircuitBreakerOptions Options(bool shadow) => new()
        {
            ShadowMode = shadow,
            TripPolicy = TripPolicy.FailureRate(0.5, TimeSpan.FromSeconds(10), minimumCalls: 5),
            BreakDuration = TimeSpan.FromSeconds(5),
            HalfOpenPermits = 2,
        };
        var real = TestBreakers.Create(time, Options(shadow: false), "real");
        var shadow = TestBreakers.Create(time, Options(shadow: true), "shadow");
        var realTransitions = new List<(BreakerState, BreakerState)>();
        var shadowTransitions = new List<(BreakerState, BreakerState)>();
        real.StateChanged += (_, e) => realTransitions.Add((e.OldState, e.NewState));
        shadow.StateChanged += (_, e) => { Assert.True(e.IsShadow); shadowTransitions.Add((e.OldState, e.NewState)); };
        var random = new Random(seed);
        long realRejections = 0;
        var held = new List<(CircuitPermit Real, CircuitPermit Shadow, bool Fails)>();

        for (int i = 0; i < 4000; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(random.Next(0, 300)));
            double failureRate = (i / 100 % 2 == 0) ? 0.1 : 0.8;
            if (held.Count > 0 && random.NextDouble() < 0.5)
            {
                var (r, s, fails) = held[0];
                held.RemoveAt(0);
                Report(r, fails);
                Report(s, fails);
            }

            bool realAdmitted = real.TryAcquire(out var realPermit);
            Assert.True(shadow.TryAcquire(out var shadowPermit), "a shadow breaker admits every call");
            bool fails2 = random.NextDouble() < failureRate;
            if (realAdmitted)
            {
                held.Add((realPermit, shadowPermit, fails2));
            }
            else
            {
                realRejections++;
                Report(shadowPermit, random.NextDouble() < 0.5); // whatever a call only shadow admits does
            }

            Assert.Equal(real.State, shadow.State);
        }

        Assert.Equal(realTransitions, shadowTransitions);
        Assert.True(realTransitions.Count > 10, $"the run must trip and recover repeatedly ({realTransitions.Count} transitions)");
        Assert.Equal(realRejections, real.Snapshot().RejectedCalls);
        Assert.Equal(realRejections, shadow.Snapshot().ShadowRejectedCalls);
        Assert.Equal(0, shadow.Snapshot().RejectedCalls);
    }

    [Fact]
    public void Would_be_rejections_and_shadow_transitions_are_on_the_meter()
    {
        using var metrics = new FuseboxMetrics();
        var time = new FakeTimeProvider();
        var breaker = new CircuitBreaker("fraud", new CircuitBreakerOptions { ShadowMode = true }, time, metrics);
        using var rejections = new MetricCollector<long>(metrics.Meter, "fusebox.shadow.rejections");
        using var transitions = new MetricCollector<long>(metrics.Meter, "fusebox.transitions");

        breaker.Trip();
        breaker.Succeed();
        breaker.Succeed();

        var measured = rejections.GetMeasurementSnapshot();
        Assert.Equal(2, measured.Sum(m => m.Value));
        Assert.All(measured, m => Assert.Equal("open", m.Tags["fusebox.reason"]));
        var transition = Assert.Single(transitions.GetMeasurementSnapshot());
        Assert.Equal(true, transition.Tags["fusebox.shadow"]);
    }

    private static void Report(CircuitPermit permit, bool fails)
    {
        if (fails)
        {
            permit.RecordFailure();
        }
        else
        {
            permit.RecordSuccess();
        }
    }
}
