using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Tests.Resilience;

/// <summary>
/// The interleavings the budget's lock-free steps are argued for, driven deterministically: the other writer runs
/// exactly between a thread's read and its write.
/// </summary>
public class BudgetBucketsTests
{
    [Fact]
    public void A_roll_over_that_loses_its_race_counts_in_the_winners_bucket()
    {
        var ring = BudgetBuckets.NewRing();
        BudgetBuckets.Add(ring, 3);
        ref long slot = ref BudgetBuckets.SlotOf(ring, 13);
        long seenBeforeTheOther = slot; // holds bucket 3, one ring ago: both threads will roll it over

        BudgetBuckets.Add(ring, 13); // the other thread rolls it first
        BudgetBuckets.AddObserved(ref slot, 13, seenBeforeTheOther);

        Assert.Equal(0, BudgetBuckets.Age(slot, 13));
        Assert.Equal(2u, BudgetBuckets.ValueOf(slot)); // both adds counted, in the new bucket only
    }

    [Fact]
    public void An_add_whose_slot_was_rolled_after_its_read_counts_in_the_newer_bucket_once()
    {
        var ring = BudgetBuckets.NewRing();
        BudgetBuckets.Add(ring, 3);
        ref long slot = ref BudgetBuckets.SlotOf(ring, 3);
        long seenCurrent = slot; // bucket 3 is current: this thread will increment

        BudgetBuckets.Add(ring, 13); // a thread a whole ring later rolls the slot meanwhile
        BudgetBuckets.AddObserved(ref slot, 3, seenCurrent);

        Assert.Equal(0, BudgetBuckets.Age(slot, 13));
        Assert.Equal(2u, BudgetBuckets.ValueOf(slot));
        long newest = 13;
        Assert.Equal(2, BudgetBuckets.SumLive(ring, 13, ref newest)); // the expired bucket 3 counts nowhere
    }

    [Fact]
    public void A_reader_with_an_older_clock_is_told_the_newest_bucket()
    {
        var ring = BudgetBuckets.NewRing();
        BudgetBuckets.Add(ring, 7);
        long newest = 5;

        BudgetBuckets.SumLive(ring, 5, ref newest);

        Assert.Equal(7, newest);
    }

    [Fact]
    public void Two_retries_deciding_on_the_last_token_at_once_spend_it_once()
    {
        var budget = new RetryBudget(retryRatio: 1, minimumRetriesPerSecond: 0, timeProvider: new FakeTimeProvider());
        budget.Deposit(); // one token
        bool? other = null;

        // This thread has decided "one token left"; before its swap, another retry takes that token.
        bool mine = budget.TryWithdraw(beforeSwap: () => other ??= budget.TryWithdraw());

        Assert.True(other);
        Assert.False(mine); // its swap failed, so it decided again, on the spent budget
        Assert.Equal(1, budget.Exhausted);
        Assert.Equal(0, budget.Available);
    }
}
