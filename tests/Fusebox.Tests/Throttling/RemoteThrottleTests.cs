using Fusebox.Coordination;
using Fusebox.Internal;
using Fusebox.Tests.Support;

namespace Fusebox.Tests.Throttling;

/// <summary>The coordinator's seam of adaptive throttling: the other replicas' counts join the probability, exactly per
/// the formula, and expire a window after the last hand-over on the breaker's clock.</summary>
public class RemoteThrottleTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(2);

    [Fact]
    public void Remote_counts_join_the_formula_of_the_admission_and_of_the_snapshot()
    {
        double draw = 0;
        var (breaker, _) = TestBreakers.Create(Throttled(new AdaptiveThrottlingOptions { MaxRejectionProbability = 1, RandomSource = () => draw }));
        breaker.Succeed();
        breaker.Succeed(); // local: 2 requests, 2 accepts (p = 0 on its own)
        Assert.True(breaker.SetRemoteThrottleCounts(100, 10));
        Assert.Equal((102 - (2.0 * 12)) / 103, breaker.Snapshot().ThrottleProbability);
        Assert.Equal(new ThrottleCounts(2, 2, Window), breaker.ReadThrottleCounts()); // its own counts only

        // The admission's probability is the one before its own request: (102 − 24) / 103, admitted at a draw of
        // exactly that (admits when draw ≥ p); the next one sees its request counted: (103 − 24) / 104.
        draw = (102 - (2.0 * 12)) / 103;
        Assert.True(breaker.TryAcquire(out var pending));
        Assert.False(breaker.TryAcquire(out _));
        Assert.Equal((104 - (2.0 * 12)) / 105, breaker.Snapshot().ThrottleProbability); // the rejected request counts too
        pending.RecordSuccess();
        Assert.Equal(1, breaker.Snapshot().ThrottledCalls);
    }

    [Fact]
    public void Remote_counts_expire_one_window_after_the_hand_over_on_the_breakers_clock()
    {
        var (breaker, time) = TestBreakers.Create(Throttled(new AdaptiveThrottlingOptions()));
        Assert.True(breaker.SetRemoteThrottleCounts(50, 0));
        time.Advance(Window / 2);
        Assert.True(breaker.SetRemoteThrottleCounts(40, 0)); // refreshed: counts for a window from now
        time.Advance(Window - TimeSpan.FromTicks(1));
        Assert.Equal(40 / 41.0, breaker.Snapshot().ThrottleProbability);
        time.Advance(TimeSpan.FromTicks(1)); // not refreshed for a window: the coordinator's link is gone
        Assert.Equal(0, breaker.Snapshot().ThrottleProbability);
        Assert.True(breaker.TryAcquire(out _)); // p = 0 again: admitted without a draw
    }

    [Fact]
    public void Zeros_remove_the_remote_part_and_a_breaker_without_throttling_has_none()
    {
        var (breaker, _) = TestBreakers.Create(Throttled(new AdaptiveThrottlingOptions()));
        breaker.SetRemoteThrottleCounts(50, 0);
        breaker.SetRemoteThrottleCounts(0, 0);
        Assert.Equal(0, breaker.Snapshot().ThrottleProbability);

        var (plain, _) = TestBreakers.Create();
        Assert.Null(plain.ReadThrottleCounts());
        Assert.False(plain.SetRemoteThrottleCounts(5, 1));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => breaker.SetRemoteThrottleCounts(-1, 0));
        Assert.Equal("requests", error.ParamName);
        Assert.Equal("accepts", Assert.Throws<ArgumentOutOfRangeException>(() => breaker.SetRemoteThrottleCounts(0, -1)).ParamName);
    }

    [Fact]
    public void A_reconfiguration_keeps_the_remote_part_while_the_window_keeps_its_length_and_drops_it_otherwise()
    {
        var (breaker, time) = TestBreakers.Create(Throttled(new AdaptiveThrottlingOptions { MaxRejectionProbability = 1 }));
        breaker.SetRemoteThrottleCounts(100, 20);
        Assert.Equal((100 - (2.0 * 20)) / 101, breaker.Snapshot().ThrottleProbability);

        // New K and new buckets (a new local window), same length: the remote counts stay, with their expiry.
        breaker.Reconfigure(Throttled(new AdaptiveThrottlingOptions { MaxRejectionProbability = 1, AcceptsMultiplier = 3, Buckets = 60 }));
        Assert.Equal((100 - (3.0 * 20)) / 101, breaker.Snapshot().ThrottleProbability);
        time.Advance(Window);
        Assert.Equal(0, breaker.Snapshot().ThrottleProbability); // expired when it would have

        breaker.SetRemoteThrottleCounts(100, 20);
        breaker.Reconfigure(Throttled(new AdaptiveThrottlingOptions { MaxRejectionProbability = 1, Window = TimeSpan.FromMinutes(1) }));
        Assert.Equal(0, breaker.Snapshot().ThrottleProbability); // counted over two minutes, not one: dropped
    }

    [Fact]
    public void ReadThrottleCounts_moves_the_window_so_an_idle_breaker_reads_a_drained_one()
    {
        var (breaker, time) = TestBreakers.Create(Throttled(new AdaptiveThrottlingOptions { RandomSource = () => 1 })); // admits all
        breaker.FailTimes(3);
        Assert.Equal(new ThrottleCounts(3, 0, Window), breaker.ReadThrottleCounts());
        time.Advance(Window);
        Assert.Equal(new ThrottleCounts(0, 0, Window), breaker.ReadThrottleCounts());
    }

    [ZeroAllocationFact]
    public void An_admission_with_remote_counts_allocates_nothing()
    {
        var breaker = new CircuitBreaker("alloc", Throttled(new AdaptiveThrottlingOptions { RandomSource = static () => 0.5 }), TimeProvider.System);
        breaker.SetRemoteThrottleCounts(10, 10);
        Assert.Equal(0, AllocationTests.AllocatedBy(() =>
        {
            if (breaker.TryAcquire(out var permit))
            {
                permit.RecordSuccess();
            }
        }));
    }

    /// <summary>Drives the interleaving of the remarks on <see cref="ThrottleStage"/>: a coordinator handing over two
    /// alternating sets while readers compute the probability. A reader pairing the requests of one set with the accepts
    /// of the other would see 0 or 300/301; every read must be one of the two sets' own probabilities.</summary>
    [Fact]
    public async Task Readers_racing_a_coordinator_see_one_hand_over_whole_never_a_mix_of_two()
    {
        var stage = new ThrottleStage(new AdaptiveThrottlingOptions { MaxRejectionProbability = 1 }, null, 0);
        double a = 100 / 101.0; // (100, 0)
        double b = (300 - (2.0 * 100)) / 301; // (300, 100)
        stage.SetRemote(100, 0, 0);
        using var done = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            for (int i = 0; i < 200_000; i++)
            {
                if (i % 2 == 0)
                {
                    stage.SetRemote(300, 100, 0);
                }
                else
                {
                    stage.SetRemote(100, 0, 0);
                }
            }

            done.Cancel();
        });
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            var seen = new HashSet<double>();
            for (int i = 0; i < 1_000_000 && !done.IsCancellationRequested; i++)
            {
                seen.Add(stage.Probability(1));
            }

            return seen;
        })).ToArray();
        await writer.WaitAsync(TimeSpan.FromSeconds(30));
        var all = (await Task.WhenAll(readers)).SelectMany(r => r).ToHashSet();
        Assert.Subset(new HashSet<double> { a, b }, all);
    }

    private static CircuitBreakerOptions Throttled(AdaptiveThrottlingOptions throttling) => new()
    {
        TripPolicy = TripPolicy.ConsecutiveFailures(1000),
        AdaptiveThrottling = throttling,
    };
}
