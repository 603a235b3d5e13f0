using Fusebox.Internal;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Tests.Statistics;

public class LatencyTests
{
    [Theory]
    [InlineData(0, 0, 0, 1)]
    [InlineData(7, 7, 7, 8)]
    [InlineData(8, 8, 8, 9)]
    [InlineData(15, 15, 15, 16)]
    [InlineData(16, 16, 16, 18)]
    [InlineData(17, 16, 16, 18)]
    [InlineData(1000, 63, 960, 1024)] // 1 ms: 2^9 major, sub-bucket 7 of width 64 µs
    [InlineData(1024, 64, 1024, 1152)]
    [InlineData(3_600_000_000, 237, 3_489_660_928, 3_758_096_384)] // 1 h
    [InlineData(long.MaxValue / 10, 239, 4_026_531_840, 4_294_967_296)] // beyond 2^32 µs: the last bucket
    public void Buckets_are_log_linear_with_8_sub_buckets(long micros, int index, long lower, long upper)
    {
        Assert.Equal(index, LatencyBuckets.IndexOf(micros * TimeSpan.TicksPerMicrosecond));
        Assert.Equal(lower, LatencyBuckets.LowerBoundMicroseconds(index));
        Assert.Equal(upper, LatencyBuckets.UpperBoundMicroseconds(index));
    }

    [Fact]
    public void Every_bucket_is_contiguous_and_at_most_an_eighth_of_its_lower_bound_wide()
    {
        Assert.Equal(0, LatencyBuckets.LowerBoundMicroseconds(0));
        for (int i = 0; i < LatencyBuckets.Count; i++)
        {
            long lower = LatencyBuckets.LowerBoundMicroseconds(i), upper = LatencyBuckets.UpperBoundMicroseconds(i);
            Assert.Equal(i, LatencyBuckets.IndexOf(lower * TimeSpan.TicksPerMicrosecond));
            Assert.Equal(i, LatencyBuckets.IndexOf((upper * TimeSpan.TicksPerMicrosecond) - 1));
            Assert.True(i < 8 ? upper - lower == 1 : (upper - lower) * 8 <= lower, $"bucket {i}: [{lower}, {upper})");
            if (i + 1 < LatencyBuckets.Count)
            {
                Assert.Equal(upper, LatencyBuckets.LowerBoundMicroseconds(i + 1));
            }
        }
    }

    [Fact]
    public void Percentiles_of_a_known_distribution_are_the_upper_bounds_of_their_buckets()
    {
        var time = new FakeTimeProvider();
        var breaker = new CircuitBreaker("latency", new CircuitBreakerOptions { CollectStatistics = true }, time, new FuseboxMetrics());

        // 1 ms, 2 ms, …, 100 ms: p50 = 50 ms, p90 = 90 ms, p99 = 99 ms, max = 100 ms (nearest rank).
        for (int ms = 1; ms <= 100; ms++)
        {
            breaker.Execute(_ => { time.Advance(TimeSpan.FromMilliseconds(ms)); return ms; });
        }

        var latency = breaker.Snapshot().Statistics!.Latency;
        Assert.Equal(100, latency.Count);
        Assert.Equal(UpperBoundOf(TimeSpan.FromMilliseconds(50)), latency.P50);
        Assert.Equal(TimeSpan.FromMicroseconds(53_248), latency.P50); // bucket [49,152, 53,248) µs: 6.5 % above 50 ms
        Assert.Equal(TimeSpan.FromMicroseconds(90_112), latency.P90); // [81,920, 90,112) µs: 0.1 % above 90 ms
        Assert.Equal(TimeSpan.FromMicroseconds(106_496), latency.P99); // [98,304, 106,496) µs: 7.6 % above 99 ms
        Assert.Equal(TimeSpan.FromMicroseconds(106_496), latency.Max); // 100 ms is in the same bucket
        foreach (var (reported, actual) in new[] { (latency.P50, 50), (latency.P90, 90), (latency.P99, 99), (latency.Max, 100) })
        {
            Assert.True(reported >= TimeSpan.FromMilliseconds(actual) && reported <= TimeSpan.FromMilliseconds(actual) * 1.125, $"{reported} for {actual} ms");
        }
    }

    [Fact]
    public void Latency_leaves_the_window_with_its_slice_and_is_all_zero_without_calls()
    {
        var time = new FakeTimeProvider();
        var breaker = new CircuitBreaker("latency", new CircuitBreakerOptions { CollectStatistics = true }, time, new FuseboxMetrics());
        Assert.Equal(LatencySummary.Empty, breaker.Snapshot().Statistics!.Latency);
        Assert.Equal(new LatencySummary(0, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero), LatencySummary.Empty);

        breaker.Execute(_ => { time.Advance(TimeSpan.FromMilliseconds(3)); return 0; });
        Assert.Equal(1, breaker.Snapshot().Statistics!.Latency.Count);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(LatencySummary.Empty, breaker.Snapshot().Statistics!.Latency);
    }

    [Fact]
    public void On_the_system_clock_one_call_in_64_and_one_per_coarse_tick_are_timed_and_every_call_is_counted()
    {
        var breaker = new CircuitBreaker("sampled", new CircuitBreakerOptions { CollectStatistics = true }, TimeProvider.System, new FuseboxMetrics());
        long ticksBefore = CoarseClock.Tick;
        for (int i = 0; i < 64 * 5; i++)
        {
            breaker.Execute(static _ => 0); // on one thread, so the per-breaker count does not race
        }

        long ticksSeen = CoarseClock.Tick - ticksBefore + 1;
        var stats = breaker.Snapshot().Statistics!;
        Assert.Equal(64 * 5, stats.Successes);

        // The 64th, 128th, … calls, and the first call in each coarse tick the loop saw (at least the very first call).
        Assert.True(stats.Latency.Count >= 5 + 1 && stats.Latency.Count <= 5 + ticksSeen,
            $"{stats.Latency.Count} calls timed, {ticksSeen} coarse ticks seen");
    }

    [Fact]
    public void A_breaker_that_times_every_call_for_its_slow_call_threshold_puts_every_call_in_the_histogram()
    {
        var breaker = new CircuitBreaker("timed", new CircuitBreakerOptions { CollectStatistics = true, SlowCallThreshold = TimeSpan.FromMinutes(1) },
            TimeProvider.System, new FuseboxMetrics());
        for (int i = 0; i < 50; i++)
        {
            breaker.Execute(static _ => 0);
        }

        Assert.Equal(50, breaker.Snapshot().Statistics!.Latency.Count);
    }

    private static TimeSpan UpperBoundOf(TimeSpan duration) =>
        TimeSpan.FromMicroseconds(LatencyBuckets.UpperBoundMicroseconds(LatencyBuckets.IndexOf(duration.Ticks)));
}
