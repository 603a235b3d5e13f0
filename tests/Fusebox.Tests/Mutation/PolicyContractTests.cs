namespace Fusebox.Tests.Mutation;

/// <summary>
/// Contracts of the trip policies that the behavioural tests did not pin: the edges of each documented argument range,
/// the operator-facing descriptions (shown in snapshots and the dashboard), and the statistics of an empty window.
/// </summary>
public class PolicyContractTests
{
    [Fact]
    public void The_documented_range_edges_are_accepted_and_one_past_them_rejected()
    {
        Assert.Equal(CountWindowPolicy.MaxWindowSize, ((CountWindowPolicy)TripPolicy.FailureRate(0.5, CountWindowPolicy.MaxWindowSize, 1)).WindowSize);
        Assert.Equal(1, ((CountWindowPolicy)TripPolicy.FailureRate(0.5, 1, 1)).WindowSize);
        Assert.Throws<ArgumentOutOfRangeException>("windowSize", () => TripPolicy.FailureRate(0.5, CountWindowPolicy.MaxWindowSize + 1, 1));

        Assert.Equal(1, ((TimeWindowPolicy)TripPolicy.FailureRate(0.5, TimeSpan.FromSeconds(1), 1, buckets: 1)).Buckets);
        Assert.Equal(TimeWindowPolicy.MaxBuckets,
            ((TimeWindowPolicy)TripPolicy.FailureRate(0.5, TimeSpan.FromSeconds(1), 1, buckets: TimeWindowPolicy.MaxBuckets)).Buckets);
        Assert.Throws<ArgumentOutOfRangeException>("buckets", () => TripPolicy.FailureRate(0.5, TimeSpan.FromSeconds(1), 1, buckets: TimeWindowPolicy.MaxBuckets + 1));

        // One tick per bucket is the smallest window; one tick less cannot be split into the buckets.
        Assert.Equal(TimeSpan.FromTicks(4), ((TimeWindowPolicy)TripPolicy.FailureRate(0.5, TimeSpan.FromTicks(4), 1, buckets: 4)).Window);
        Assert.Throws<ArgumentOutOfRangeException>("window", () => TripPolicy.FailureRate(0.5, TimeSpan.FromTicks(3), 1, buckets: 4));
    }

    [Fact]
    public void Policies_describe_themselves_with_their_thresholds()
    {
        Assert.Equal("ConsecutiveFailures(3)", TripPolicy.ConsecutiveFailures(3).ToString());
        Assert.Equal("FailureRate(window=20 calls, failureRate>=0.5, slowCallRate>=0.25, minimumCalls=10)",
            TripPolicy.FailureRate(0.5, 20, 10, slowCallRateThreshold: 0.25).ToString());
        Assert.Equal("FailureRate(window=20 calls, slowCallRate>=0.8, minimumCalls=5)", TripPolicy.SlowCallRate(0.8, 20, 5).ToString());
    }

    [Fact]
    public void An_empty_window_has_zero_rates_not_NaN()
    {
        var empty = new WindowStatistics(0, 0, 0);

        Assert.Equal(0, empty.FailureRate);
        Assert.Equal(0, empty.SlowCallRate);
    }

    [Fact]
    public void A_slow_call_rate_below_the_threshold_does_not_trip()
    {
        var meter = TripPolicy.SlowCallRate(0.5, 10, 10).CreateMeter();
        for (int i = 0; i < 9; i++)
        {
            meter.Record(failure: false, slow: false, now: 0);
        }

        Assert.Equal(TripDecision.None, meter.Record(failure: false, slow: true, now: 0)); // 1 slow of 10
        for (int i = 0; i < 3; i++)
        {
            meter.Record(failure: false, slow: true, now: 0);
        }

        Assert.Equal(TripDecision.SlowCallRate, meter.Record(failure: false, slow: true, now: 0)); // 5 slow of 10
    }

    [Fact]
    public void The_consecutive_meter_reads_the_current_run_of_failures()
    {
        var meter = TripPolicy.ConsecutiveFailures(10).CreateMeter();
        for (int i = 0; i < 3; i++)
        {
            meter.Record(failure: true, slow: false, now: 0);
        }

        Assert.Equal(new WindowStatistics(3, 3, 0), meter.Read(0));
        meter.Record(failure: false, slow: false, now: 0);
        Assert.Equal(new WindowStatistics(0, 0, 0), meter.Read(0));
    }
}
