namespace Fusebox.RateLimiting.Tests;

/// <summary>The two algorithms' arithmetic, worked by hand from Netflix concurrency-limits' formulas and defaults.</summary>
public class EstimateTests
{
    private static readonly AdaptiveConcurrencyOptions Defaults = new() { MinLimit = 1, InitialLimit = 20 };

    [Fact]
    public void Steady_latency_at_full_use_grows_the_limit_by_the_smoothed_queue_headroom() =>
        // gradient min(1, 1.5 × 10 / 10) = 1; estimate 20 + 4 = 24; smoothed 0.8 × 20 + 0.2 × 24 = 20.8
        Assert.Equal(20.8, Gradient2Estimate.NextLimit(20, longRtt: 10, shortRtt: 10, inflight: 20, Defaults), 12);

    [Fact]
    public void Rising_latency_shrinks_the_limit_by_the_gradient() =>
        // gradient 1.5 × 10 / 20 = 0.75; estimate 75 + 4 = 79; smoothed 80 + 15.8 = 95.8
        Assert.Equal(95.8, Gradient2Estimate.NextLimit(100, longRtt: 10, shortRtt: 20, inflight: 100, Defaults), 12);

    [Fact]
    public void One_outlier_cannot_cut_the_estimate_below_half() =>
        // gradient 1.5 × 10 / 100 = 0.15, floored at 0.5; estimate 54; smoothed 80 + 10.8 = 90.8
        Assert.Equal(90.8, Gradient2Estimate.NextLimit(100, longRtt: 10, shortRtt: 100, inflight: 100, Defaults), 12);

    [Fact]
    public void A_limit_used_less_than_half_does_not_move() =>
        Assert.Equal(100, Gradient2Estimate.NextLimit(100, longRtt: 10, shortRtt: 100, inflight: 49, Defaults));

    [Fact]
    public void The_limit_stays_between_min_and_max()
    {
        var options = new AdaptiveConcurrencyOptions { MinLimit = 95, InitialLimit = 100, MaxLimit = 100 };
        Assert.Equal(95, Gradient2Estimate.NextLimit(96, longRtt: 10, shortRtt: 100, inflight: 96, options));
        Assert.Equal(100, Gradient2Estimate.NextLimit(100, longRtt: 10, shortRtt: 10, inflight: 100, options));
    }

    [Fact]
    public void The_long_average_is_a_plain_mean_for_ten_samples_then_exponential()
    {
        double average = 0;
        for (int n = 1; n <= 10; n++)
        {
            average = Gradient2Estimate.NextLongRtt(average, n, n, window: 600);
        }

        Assert.Equal(5.5, average, 12); // mean of 1..10
        // factor 2 / 601: 5.5 + (606.5 - 5.5) × 2 / 601 = 7.5
        Assert.Equal(7.5, Gradient2Estimate.NextLongRtt(average, 606.5, 11, window: 600), 12);
    }

    [Fact]
    public void The_long_average_decays_only_when_more_than_twice_the_sample()
    {
        Assert.True(Gradient2Estimate.ShouldDecay(20.001, 10));
        Assert.False(Gradient2Estimate.ShouldDecay(20, 10));
    }

    [Theory]
    [InlineData(100, true, 1, 90)]   // a drop keeps 90 % (floored)
    [InlineData(25, true, 25, 22)]   // 22.5 floors to 22
    [InlineData(21, true, 21, 20)]   // never below MinLimit (18.9 → 20)
    [InlineData(100, false, 50, 101)] // half used: one more
    [InlineData(100, false, 49, 100)] // less than half used: unchanged
    [InlineData(200, false, 200, 200)] // never above MaxLimit
    public void Aimd_adds_one_on_a_well_used_success_and_cuts_a_tenth_on_a_drop(double limit, bool dropped, int inflight, double expected) =>
        Assert.Equal(expected, AimdEstimate.NextLimit(limit, dropped, inflight, new AdaptiveConcurrencyOptions { Algorithm = ConcurrencyAlgorithm.Aimd }));
}
