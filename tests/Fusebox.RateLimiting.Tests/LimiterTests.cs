using System.Threading.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.RateLimiting.Tests;

/// <summary>The limiter on a fake clock: admission against the limit, and how each completion moves it.</summary>
public class LimiterTests
{
    private readonly FakeTimeProvider _time = new();

    private AdaptiveConcurrencyLimiter Limiter(int min, int initial, int max, ConcurrencyAlgorithm algorithm = ConcurrencyAlgorithm.Gradient2) =>
        new(new AdaptiveConcurrencyOptions { Algorithm = algorithm, MinLimit = min, InitialLimit = initial, MaxLimit = max, TimeProvider = _time });

    [Fact]
    public async Task It_admits_exactly_its_limit_and_rejects_the_next_call_without_queueing()
    {
        using var limiter = Limiter(3, 3, 3);
        var leases = Enumerable.Range(0, 3).Select(_ => limiter.AttemptAcquire()).ToList();

        using var fourth = limiter.AttemptAcquire();
        var queued = limiter.AcquireAsync(1, TestContext.Current.CancellationToken);

        Assert.All(leases, l => Assert.True(l.IsAcquired));
        Assert.False(fourth.IsAcquired);
        Assert.True(queued.IsCompleted);
        Assert.False((await queued).IsAcquired);
        var stats = limiter.GetStatistics()!;
        Assert.Equal((0L, 3L, 2L, 0L), (stats.CurrentAvailablePermits, stats.TotalSuccessfulLeases, stats.TotalFailedLeases, stats.CurrentQueuedCount));

        leases[0].Dispose();
        using var again = limiter.AttemptAcquire();
        Assert.True(again.IsAcquired);
    }

    [Fact]
    public void Asking_with_zero_permits_takes_no_slot_and_more_than_one_is_refused()
    {
        using var limiter = Limiter(1, 1, 1);
        Assert.True(limiter.AttemptAcquire(0).IsAcquired);
        Assert.Equal(0, limiter.InFlight);
        using var held = limiter.AttemptAcquire();
        Assert.False(limiter.AttemptAcquire(0).IsAcquired);
        Assert.Throws<ArgumentOutOfRangeException>("permitCount", () => limiter.AttemptAcquire(2));
    }

    [Fact]
    public void A_lease_disposed_twice_frees_one_slot()
    {
        using var limiter = Limiter(2, 2, 2);
        var first = limiter.AttemptAcquire();
        using var second = limiter.AttemptAcquire();
        first.Dispose();
        first.Dispose();

        Assert.Equal(1, limiter.InFlight);
    }

    [Fact]
    public void Gradient2_grows_a_fully_used_limit_while_latency_holds()
    {
        using var limiter = Limiter(1, 1, 10);
        var seen = new List<int>();
        for (int round = 0; round < 4; round++)
        {
            RunConcurrently(limiter, limiter.CurrentLimit, TimeSpan.FromMilliseconds(10));
            seen.Add(limiter.CurrentLimit);
        }

        // Each sample that found at least half the limit in use: gradient 1 (latency steady), estimate limit + 4,
        // smoothed by 0.2: 1 → 1.8 → 2.6 → (2 calls; the 1st found 1 < 1.3 in use) 3.4 → (3 calls; 2nd and 3rd) 4.2 → 5.0.
        Assert.Equal([1, 2, 3, 5], seen);
    }

    [Fact]
    public void Gradient2_cuts_the_limit_when_latency_quadruples()
    {
        using var limiter = new AdaptiveConcurrencyLimiter(new AdaptiveConcurrencyOptions
        {
            MinLimit = 1, InitialLimit = 40, MaxLimit = 100, QueueSize = 0, TimeProvider = _time,
        });
        RunConcurrently(limiter, 40, TimeSpan.FromMilliseconds(10)); // long average 10 ms; gradient 1 and no headroom: 40 stays
        Assert.Equal(40, limiter.CurrentLimit);

        RunConcurrently(limiter, 40, TimeSpan.FromMilliseconds(40));

        // The long average barely moves (2/601 per sample), so each gradient 1.5 × ~10 / 40 is floored at 0.5 and each
        // sample keeps 0.8 + 0.2 × 0.5 = 0.9 of the limit; the calls that found 20 to 40 in flight are 21 samples.
        Assert.Equal((int)(40 * Math.Pow(0.9, 21)), limiter.CurrentLimit);
    }

    /// <summary><paramref name="count"/> calls admitted together, all lasting <paramref name="latency"/>, released in admission order.</summary>
    private void RunConcurrently(AdaptiveConcurrencyLimiter limiter, int count, TimeSpan latency)
    {
        var leases = Enumerable.Range(0, count).Select(_ => limiter.TryAcquire()).ToList();
        Assert.All(leases, l => Assert.True(l.IsAcquired));
        _time.Advance(latency);
        leases.ForEach(l => l.Dispose());
    }

    [Fact]
    public void Aimd_backs_off_on_a_drop_and_on_a_call_slower_than_its_timeout_and_ignores_ignored_calls()
    {
        using var limiter = new AdaptiveConcurrencyLimiter(new AdaptiveConcurrencyOptions
        {
            Algorithm = ConcurrencyAlgorithm.Aimd, MinLimit = 1, InitialLimit = 10, MaxLimit = 20, AimdTimeout = TimeSpan.FromSeconds(1), TimeProvider = _time,
        });

        var dropped = limiter.TryAcquire();
        dropped.MarkDropped();
        dropped.Dispose();
        Assert.Equal(9, limiter.CurrentLimit);

        using (limiter.TryAcquire())
        {
            _time.Advance(TimeSpan.FromSeconds(1.5));
        }

        Assert.Equal(8, limiter.CurrentLimit); // floor(9 × 0.9)

        var ignored = limiter.TryAcquire();
        ignored.MarkDropped();
        ignored.MarkIgnored();
        ignored.Dispose();
        Assert.Equal(8, limiter.CurrentLimit);

        var held = Enumerable.Range(0, 4).Select(_ => limiter.TryAcquire()).ToList();
        held.ForEach(l => l.Dispose()); // the 4th found 4 of 8 in use: one more
        Assert.Equal(9, limiter.CurrentLimit);
    }

    [Fact]
    public void Idle_duration_is_null_while_a_call_runs_and_counts_from_the_last_release()
    {
        using var limiter = Limiter(1, 1, 1);
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(TimeSpan.FromSeconds(3), limiter.IdleDuration);

        var lease = limiter.AttemptAcquire();
        Assert.Null(limiter.IdleDuration);
        _time.Advance(TimeSpan.FromSeconds(1));
        lease.Dispose();
        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(TimeSpan.FromSeconds(2), limiter.IdleDuration);
    }

    [Fact]
    public void A_disposed_limiter_refuses_to_admit()
    {
        var limiter = Limiter(1, 1, 1);
        limiter.Dispose();
        Assert.Throws<ObjectDisposedException>(() => limiter.AttemptAcquire());
    }

    [Fact]
    public async Task A_cancelled_wait_throws_before_taking_a_slot()
    {
        using var limiter = Limiter(1, 1, 1);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await limiter.AcquireAsync(1, new CancellationToken(canceled: true)));
        Assert.Equal(0, limiter.InFlight);
    }

    [Fact]
    public void A_rejection_allocates_nothing()
    {
        using var limiter = Limiter(1, 1, 1);
        using var held = limiter.TryAcquire();
        limiter.TryAcquire(); // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            limiter.TryAcquire();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void It_is_a_RateLimiter()
    {
        using RateLimiter limiter = Limiter(1, 1, 1);
        using var lease = limiter.AttemptAcquire();
        Assert.IsType<AdaptiveConcurrencyLease>(lease);
        Assert.False(lease.TryGetMetadata(MetadataName.RetryAfter, out _));
    }
}
