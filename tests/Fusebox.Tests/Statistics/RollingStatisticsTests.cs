using Fusebox.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Tests.Statistics;

public class RollingStatisticsTests
{
    private static (CircuitBreaker Breaker, FakeTimeProvider Time) Collecting(CircuitBreakerOptions? options = null)
    {
        options ??= new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(1000) };
        options.CollectStatistics = true;
        var time = new FakeTimeProvider();
        return (new CircuitBreaker("stats", options, time, new FuseboxMetrics()), time);
    }

    [Fact]
    public void Statistics_are_null_when_off_and_follow_Reconfigure()
    {
        var (breaker, _) = TestBreakers.Create();
        breaker.Succeed();
        Assert.Null(breaker.Snapshot().Statistics);

        breaker.Reconfigure(new CircuitBreakerOptions { CollectStatistics = true });
        breaker.Succeed();
        breaker.Succeed();
        Assert.Equal(2, breaker.Snapshot().Statistics!.Successes); // the call before was not collected

        breaker.Reconfigure(new CircuitBreakerOptions { CollectStatistics = true, HalfOpenPermits = 2 });
        breaker.Succeed();
        Assert.Equal(3, breaker.Snapshot().Statistics!.Successes); // still on: kept

        breaker.Reconfigure(new CircuitBreakerOptions());
        breaker.Succeed();
        Assert.Null(breaker.Snapshot().Statistics);
        Assert.False(breaker.Options.CollectStatistics);

        breaker.Reconfigure(new CircuitBreakerOptions { CollectStatistics = true });
        Assert.Equal(0, breaker.Snapshot().Statistics!.Requests); // on again: starts empty
    }

    [Fact]
    public void Each_outcome_kind_is_counted()
    {
        var (breaker, time) = Collecting(new CircuitBreakerOptions
        {
            TripPolicy = TripPolicy.ConsecutiveFailures(4),
            SlowCallThreshold = TimeSpan.FromSeconds(1),
            BreakDuration = TimeSpan.FromMinutes(1),
        });

        breaker.Execute(static _ => 1);
        breaker.Execute(_ => { time.Advance(TimeSpan.FromSeconds(2)); return 2; }); // slow success
        Assert.Throws<InvalidOperationException>(() => breaker.Execute<int>(static _ => throw new InvalidOperationException("boom")));
        Assert.Throws<TimeoutException>(() => breaker.Execute<int>(static _ => throw new TimeoutException("late")));
        using (var cts = new CancellationTokenSource())
        {
            cts.Cancel();
            Assert.True(breaker.TryAcquire(out var permit));
            permit.RecordException(new OperationCanceledException(cts.Token), cts.Token); // the caller's cancellation: ignored
        }

        Assert.True(breaker.TryAcquire(out var released));
        released.Release(); // ignored too
        breaker.FailTimes(2); // the 4th consecutive failure trips it
        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.True(breaker.TryExecute(static _ => 1).IsRejected);
        Assert.True(breaker.TryExecute(static _ => 1).IsRejected);
        Assert.True(breaker.TryExecute(static _ => 1).IsRejected);

        var stats = breaker.Snapshot().Statistics!;
        Assert.Equal(2, stats.Successes);
        Assert.Equal(4, stats.Failures); // the timeout among them
        Assert.Equal(1, stats.Timeouts);
        Assert.Equal(1, stats.SlowCalls);
        Assert.Equal(3, stats.Rejections);
        Assert.Equal(2, stats.Ignored);
        Assert.Equal(11, stats.Requests);
        Assert.Equal(1.1, stats.RequestsPerSecond, 12);
        Assert.Equal(4.0 / 6, stats.ErrorRate, 12);
        Assert.Equal(TimeSpan.FromSeconds(10), stats.Window);
    }

    [Fact]
    public void Rates_cover_the_last_ten_seconds_and_older_slices_expire()
    {
        var (breaker, time) = Collecting();
        Assert.Equal(0, time.GetTimestamp() % TimeSpan.TicksPerSecond); // the fake clock starts at a whole second
        for (int second = 0; second < 10; second++)
        {
            for (int i = 0; i <= second; i++)
            {
                breaker.Succeed(); // second k: k + 1 successes
            }

            breaker.Fail();
            time.Advance(TimeSpan.FromSeconds(1));
        }

        // Now in second 10: the window is seconds 1..10, second 0 (1 success, 1 failure) has dropped out.
        var stats = breaker.Snapshot().Statistics!;
        Assert.Equal(54, stats.Successes); // 2 + 3 + … + 10
        Assert.Equal(9, stats.Failures);
        Assert.Equal(6.3, stats.RequestsPerSecond, 12);
        Assert.Equal(9.0 / 63, stats.ErrorRate, 12);

        time.Advance(TimeSpan.FromSeconds(5)); // second 15: seconds 6..9 remain (7 + 8 + 9 + 10 successes)
        stats = breaker.Snapshot().Statistics!;
        Assert.Equal(34, stats.Successes);
        Assert.Equal(4, stats.Failures);

        breaker.Succeed(); // a write into second 15 rotates slice 5 (it held second 5): the old counts are gone
        stats = breaker.Snapshot().Statistics!;
        Assert.Equal(35, stats.Successes);

        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(0, breaker.Snapshot().Statistics!.Requests);
        Assert.Equal(0, breaker.Snapshot().Statistics!.ErrorRate);
    }

    [Fact]
    public void A_last_failure_is_kept_after_it_leaves_the_window()
    {
        var (breaker, time) = Collecting();
        Assert.Null(breaker.Snapshot().Statistics!.LastFailure);
        var failedAt = time.GetUtcNow();
        Assert.Throws<InvalidOperationException>(() => breaker.Execute<int>(static _ => throw new InvalidOperationException("boom")));
        time.Advance(TimeSpan.FromMinutes(5));

        var stats = breaker.Snapshot().Statistics!;
        Assert.Equal(0, stats.Failures);
        Assert.Equal(new FailureRecord(failedAt, FailureKind.Exception, "InvalidOperationException", "boom"), stats.LastFailure);
    }
}
