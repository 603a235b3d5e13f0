using Fusebox.Tests.Support;

namespace Fusebox.Tests;

public class SlowCallTests
{
    private static (CircuitBreaker, Microsoft.Extensions.Time.Testing.FakeTimeProvider) Breaker(TripPolicy policy) =>
        TestBreakers.Create(new CircuitBreakerOptions { TripPolicy = policy, SlowCallThreshold = TimeSpan.FromSeconds(2) });

    private static void Call(CircuitBreaker breaker, Microsoft.Extensions.Time.Testing.FakeTimeProvider time, TimeSpan duration, bool fail = false)
    {
        Assert.True(breaker.TryAcquire(out var permit));
        time.Advance(duration);
        if (fail)
        {
            permit.RecordFailure();
        }
        else
        {
            permit.RecordSuccess();
        }
    }

    [Fact]
    public void Slow_successes_trip_a_count_window_on_slow_call_rate()
    {
        var (breaker, time) = Breaker(TripPolicy.SlowCallRate(0.5, 10, 4));
        Call(breaker, time, TimeSpan.FromSeconds(1));
        Call(breaker, time, TimeSpan.FromSeconds(1));
        Call(breaker, time, TimeSpan.FromSeconds(2));
        Assert.Equal(BreakerState.Closed, breaker.State);

        Call(breaker, time, TimeSpan.FromSeconds(5));

        Assert.Equal(BreakerState.Open, breaker.State);
        var s = breaker.Snapshot();
        Assert.Equal(TransitionReason.SlowCallRate, s.LastReason);
        Assert.Equal(2, s.SlowCalls);
        Assert.Equal(4, s.SuccessfulCalls);
    }

    [Fact]
    public void Slow_calls_trip_a_time_window_on_slow_call_rate()
    {
        var (breaker, time) = Breaker(TripPolicy.SlowCallRate(1, TimeSpan.FromMinutes(1), 3));

        Call(breaker, time, TimeSpan.FromSeconds(3));
        Call(breaker, time, TimeSpan.FromSeconds(3));
        Assert.Equal(BreakerState.Closed, breaker.State);
        Call(breaker, time, TimeSpan.FromSeconds(3));

        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.Equal(1.0, breaker.Snapshot().SlowCallRate);
    }

    [Fact]
    public void A_combined_policy_trips_on_whichever_rate_is_reached()
    {
        var (breaker, time) = Breaker(TripPolicy.FailureRate(0.9, 10, 4, slowCallRateThreshold: 0.5));
        Call(breaker, time, TimeSpan.FromSeconds(3), fail: true);
        Call(breaker, time, TimeSpan.Zero);
        Call(breaker, time, TimeSpan.Zero);
        Call(breaker, time, TimeSpan.FromSeconds(3));

        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.Equal(TransitionReason.SlowCallRate, breaker.Snapshot().LastReason);
    }

    [Fact]
    public void Slow_calls_are_counted_even_when_the_policy_ignores_them()
    {
        var (breaker, time) = Breaker(TripPolicy.ConsecutiveFailures(5));
        Call(breaker, time, TimeSpan.FromSeconds(10));

        Assert.Equal(1, breaker.Snapshot().SlowCalls);
        Assert.Equal(BreakerState.Closed, breaker.State);
    }

    [Fact]
    public async Task Slow_async_operations_are_measured_from_start_to_completion()
    {
        var (breaker, time) = Breaker(TripPolicy.SlowCallRate(1, 1, 1));
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        var call = breaker.ExecuteAsync(_ => new ValueTask<int>(gate.Task));
        time.Advance(TimeSpan.FromSeconds(2));
        gate.SetResult(1);
        await call;

        Assert.Equal(BreakerState.Open, breaker.State);
    }
}
