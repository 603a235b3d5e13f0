using Fusebox.Tests.Support;

namespace Fusebox.Tests;

public class ReconfigureTests
{
    [Fact]
    public void New_thresholds_apply_and_the_state_is_kept()
    {
        var (breaker, time) = TestBreakers.Create();
        breaker.Trip();
        long generation = breaker.Snapshot().Generation;

        breaker.Reconfigure(new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(2), BreakDuration = TimeSpan.FromSeconds(5), HalfOpenPermits = 1 });

        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.Equal(generation, breaker.Snapshot().Generation);
        Assert.Equal(TimeSpan.FromSeconds(30), breaker.Snapshot().RetryAfter); // the running break keeps its end
        time.Advance(TimeSpan.FromSeconds(30));
        breaker.Succeed();                                                    // one probe is now enough
        Assert.Equal(BreakerState.Closed, breaker.State);
        breaker.FailTimes(2);
        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.Equal(TimeSpan.FromSeconds(5), breaker.Snapshot().RetryAfter);
    }

    [Fact]
    public void An_unchanged_policy_keeps_its_window_a_changed_one_starts_empty()
    {
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions { TripPolicy = TripPolicy.FailureRate(0.5, 10, 5) });
        breaker.FailTimes(3);

        breaker.Reconfigure(new CircuitBreakerOptions { TripPolicy = TripPolicy.FailureRate(0.5, 10, 5), BreakDuration = TimeSpan.FromSeconds(9) });
        Assert.Equal(3, breaker.Snapshot().Window.Failures);

        breaker.Reconfigure(new CircuitBreakerOptions { TripPolicy = TripPolicy.FailureRate(0.6, 10, 5) });
        Assert.Equal(0, breaker.Snapshot().Window.Failures);
    }

    [Fact]
    public void An_invalid_reconfiguration_throws_and_keeps_the_old_options()
    {
        var (breaker, _) = TestBreakers.Create();

        var ex = Assert.ThrowsAny<ArgumentException>(() => breaker.Reconfigure(new CircuitBreakerOptions { HalfOpenPermits = 0 }));

        Assert.Contains("HalfOpenPermits", ex.Message, StringComparison.Ordinal);
        Assert.Equal(3, breaker.Options.HalfOpenPermits);
    }

    [Fact]
    public void A_running_half_open_round_keeps_its_rules()
    {
        var (breaker, time) = TestBreakers.Create(new CircuitBreakerOptions { HalfOpenPermits = 1 });
        breaker.Trip();
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(breaker.TryAcquire(out var probe));

        breaker.Reconfigure(new CircuitBreakerOptions { HalfOpenPermits = 5, SuccessesToClose = 5 });
        probe.RecordSuccess();

        Assert.Equal(BreakerState.Closed, breaker.State);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Built_in_policies_have_value_equality(bool same)
    {
        int n = same ? 10 : 11;
        Assert.Equal(same, TripPolicy.ConsecutiveFailures(10).Equals(TripPolicy.ConsecutiveFailures(n)));
        Assert.Equal(same, TripPolicy.FailureRate(0.5, 10, 5).Equals(TripPolicy.FailureRate(0.5, n, 5)));
        Assert.Equal(same, TripPolicy.FailureRate(0.5, TimeSpan.FromSeconds(10), 5).Equals(TripPolicy.FailureRate(0.5, TimeSpan.FromSeconds(n), 5)));
        Assert.False(TripPolicy.FailureRate(0.5, 10, 5).Equals(TripPolicy.SlowCallRate(0.5, 10, 5)));
        if (same)
        {
            Assert.Equal(TripPolicy.FailureRate(0.5, 10, 5).GetHashCode(), TripPolicy.FailureRate(0.5, 10, 5).GetHashCode());
        }
    }
}
