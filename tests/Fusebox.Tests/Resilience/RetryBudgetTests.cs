using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Tests.Resilience;

/// <summary>The budget's Finagle semantics on a fake clock: expiry, the per-second floor, exact ratios, no banking.</summary>
public class RetryBudgetTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(10);

    private static void Deposit(RetryBudget budget, int calls)
    {
        for (int i = 0; i < calls; i++)
        {
            budget.Deposit();
        }
    }

    private static int WithdrawAll(RetryBudget budget, int atMost = 1_000_000)
    {
        int granted = 0;
        while (granted < atMost && budget.TryWithdraw())
        {
            granted++;
        }

        return granted;
    }

    [Fact]
    public void Deposits_expire_after_the_time_to_live()
    {
        var time = new FakeTimeProvider();
        var budget = new RetryBudget(retryRatio: 0.5, minimumRetriesPerSecond: 0, timeToLive: Ttl, timeProvider: time);

        Deposit(budget, 10);
        Assert.Equal(5, budget.Available);
        time.Advance(Ttl - TimeSpan.FromMilliseconds(1));
        Assert.Equal(5, budget.Available); // made in the first bucket, they count until its time-to-live is over
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(0, budget.Available);
        Assert.False(budget.TryWithdraw());
    }

    [Fact]
    public void A_deposit_made_late_in_a_bucket_lives_at_least_nine_tenths_of_the_time_to_live()
    {
        var time = new FakeTimeProvider();
        var budget = new RetryBudget(retryRatio: 1, minimumRetriesPerSecond: 0, timeToLive: Ttl, timeProvider: time);
        time.Advance(TimeSpan.FromMilliseconds(999)); // the end of the first 1 s bucket

        budget.Deposit();
        time.Advance(TimeSpan.FromMilliseconds(9000));
        Assert.Equal(1, budget.Available);
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(0, budget.Available);
    }

    [Fact]
    public void The_per_second_floor_is_granted_afresh_in_every_time_to_live()
    {
        var time = new FakeTimeProvider();
        var budget = new RetryBudget(retryRatio: 0, minimumRetriesPerSecond: 2, timeToLive: Ttl, timeProvider: time);

        Assert.Equal(20, WithdrawAll(budget));
        time.Advance(Ttl / 2);
        Assert.Equal(0, WithdrawAll(budget)); // the floor is per time-to-live, not per call
        time.Advance(Ttl / 2);
        Assert.Equal(20, WithdrawAll(budget)); // the first 20 expired: the floor renews

        Assert.Equal(3, budget.Exhausted); // each of the three draining loops ended on one refusal
    }

    [Fact]
    public void Withdrawals_expire_bucket_by_bucket_like_deposits()
    {
        var time = new FakeTimeProvider();
        var budget = new RetryBudget(retryRatio: 0, minimumRetriesPerSecond: 1, timeToLive: Ttl, timeProvider: time);

        for (int second = 0; second < 10; second++)
        {
            Assert.True(budget.TryWithdraw());
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(1, budget.Available); // the first second's retry just expired
        Assert.True(budget.TryWithdraw());
        Assert.False(budget.TryWithdraw());
    }

    [Theory]
    [InlineData(0.0004, 2499, 0)]
    [InlineData(0.0004, 2500, 1)]
    [InlineData(0.0015, 10_000, 15)]
    [InlineData(0.29, 100, 29)] // 0.29 * 100 is 28.999999999999996 in double arithmetic
    [InlineData(0.2, 1000, 200)]
    [InlineData(1.0, 7, 7)]
    public void The_ratio_is_exact(double ratio, int calls, long expected)
    {
        var time = new FakeTimeProvider();
        var budget = new RetryBudget(ratio, minimumRetriesPerSecond: 0, timeToLive: Ttl, timeProvider: time);

        Deposit(budget, calls);

        Assert.Equal(expected, budget.Available);
        Assert.Equal(expected, WithdrawAll(budget));
    }

    [Fact]
    public void A_steady_client_cannot_bank_retries_for_an_outage()
    {
        // A client at 10 calls per second for a minute, then an outage in which every call fails and asks for 2
        // retries (3x load). Only the last time-to-live's calls pay for retries: 0.2 x 100 = 20, not a saved stock.
        var time = new FakeTimeProvider();
        var budget = new RetryBudget(retryRatio: 0.2, minimumRetriesPerSecond: 0, timeToLive: Ttl, timeProvider: time);
        var tick = TimeSpan.FromMilliseconds(100);
        for (int i = 0; i < 600; i++)
        {
            budget.Deposit();
            time.Advance(tick);
        }

        Assert.Equal(18, budget.Available); // 0.2 x the 90 calls of the last 9 s: the current 1 s bucket is still empty
        var retriesPerSecond = new int[30];
        for (int i = 0; i < 300; i++)
        {
            budget.Deposit();
            retriesPerSecond[i / 10] += WithdrawAll(budget, atMost: 2);
            time.Advance(tick);
        }

        Assert.Equal(20, retriesPerSecond[..5].Sum()); // the old bucket spent its bank of 100 in the first 5 s
        for (int start = 0; start + 10 <= 30; start++)
        {
            // any time-to-live of the outage: at most 20 % of its 100 calls, and with demand far above it, exactly that
            Assert.Equal(20, retriesPerSecond[start..(start + 10)].Sum());
        }

        Assert.Equal(0, retriesPerSecond[1..10].Sum()); // the first second spent the window's 20
        Assert.Equal(300 - 30, budget.Exhausted); // every call but the 10 of each paying second was refused once
    }

    [Fact]
    public void Concurrent_deposits_and_withdrawals_conserve_tokens_exactly()
    {
        var time = new FakeTimeProvider();
        var budget = new RetryBudget(retryRatio: 0.25, minimumRetriesPerSecond: 3, timeToLive: Ttl, timeProvider: time);
        const int Threads = 4, DepositsPerThread = 20_000, TriesPerThread = 10_000;
        int granted = 0, refused = 0, progress = 0;
        using var start = new Barrier(Threads + 1);
        var workers = Enumerable.Range(0, Threads).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            for (int i = 0; i < DepositsPerThread; i++)
            {
                budget.Deposit();
                Interlocked.Increment(ref progress);
                if (i % 2 == 0 && i / 2 < TriesPerThread)
                {
                    Interlocked.Increment(ref budget.TryWithdraw() ? ref granted : ref refused);
                }
            }
        })).ToArray();
        Array.ForEach(workers, w => w.Start());

        // Meanwhile the clock crosses eight 1 s bucket boundaries (every slot rolls under load) but never a whole
        // time-to-live, so nothing expires and the totals must balance exactly.
        start.SignalAndWait();
        for (int i = 1; i <= 8; i++)
        {
            while (Volatile.Read(ref progress) < i * Threads * DepositsPerThread / 9)
            {
                Thread.Yield();
            }

            time.Advance(TimeSpan.FromSeconds(1));
        }

        Array.ForEach(workers, w => w.Join());
        long allowance = 30 + (long)(0.25 * Threads * DepositsPerThread);

        Assert.Equal(Threads * TriesPerThread, granted + refused);
        Assert.Equal(refused, budget.Exhausted);
        Assert.True(granted <= allowance, $"granted {granted} retries, more than the {allowance} the budget allows");
        Assert.Equal(allowance - granted, budget.Available);
        Assert.Equal(allowance - granted, WithdrawAll(budget));
    }

    [Fact]
    public void Concurrent_withdrawals_never_spend_the_same_token_twice()
    {
        var time = new FakeTimeProvider();
        var budget = new RetryBudget(retryRatio: 0.5, minimumRetriesPerSecond: 0, timeToLive: Ttl, timeProvider: time);
        Deposit(budget, 20_001); // 10,000 retries
        int granted = 0;

        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
        {
            for (int i = 0; i < 5000; i++)
            {
                if (budget.TryWithdraw())
                {
                    Interlocked.Increment(ref granted);
                }
            }
        });

        Assert.Equal(10_000, granted);
        Assert.Equal(10_000, budget.Exhausted);
        Assert.Equal(0, budget.Available);
    }

    [Fact]
    public void The_defaults_are_Finaglas()
    {
        var budget = new RetryBudget();

        Assert.Equal(0.2, budget.RetryRatio);
        Assert.Equal(10, budget.MinimumRetriesPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(10), budget.TimeToLive);
        Assert.Equal(100, budget.Available); // the floor: 10 a second for 10 s
    }

    [Theory]
    [InlineData(-0.1, 10, 10.0, "retryRatio", "retryRatio must be in [0, 1] (was -0.1)")]
    [InlineData(1.5, 10, 10.0, "retryRatio", "retryRatio must be in [0, 1] (was 1.5)")]
    [InlineData(double.NaN, 10, 10.0, "retryRatio", "retryRatio must be in [0, 1] (was NaN)")]
    [InlineData(0.2, -1, 10.0, "minimumRetriesPerSecond", "minimumRetriesPerSecond must be in [0, 1000000] (was -1)")]
    [InlineData(0.2, 1_000_001, 10.0, "minimumRetriesPerSecond", "minimumRetriesPerSecond must be in [0, 1000000] (was 1000001)")]
    [InlineData(0.2, 10, 0.5, "timeToLive", "timeToLive must be in [1 s, 60 s] (was 0.5 s)")]
    [InlineData(0.2, 10, 61.0, "timeToLive", "timeToLive must be in [1 s, 60 s] (was 61 s)")]
    public void Arguments_are_validated(double ratio, int minimum, double ttlSeconds, string parameter, string expected)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new RetryBudget(ratio, minimum, TimeSpan.FromSeconds(ttlSeconds)));

        Assert.Equal(parameter, ex.ParamName);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}
