namespace Fusebox;

/// <summary>
/// The ring of time buckets a <see cref="RetryBudget"/> counts in: <see cref="Count"/> buckets of one tenth of the
/// budget's time-to-live each. A slot holds one <c>long</c> that packs the bucket's number (its <em>epoch</em>, high 32
/// bits) with a 32-bit count, so a slot is rolled over to a new bucket and counted in with a single atomic operation:
/// no reader can see a new epoch with the old bucket's count, or the reverse.
/// </summary>
/// <remarks>
/// Epochs are compared by their 32-bit difference, which is exact until a slot is left untouched for 2^31 buckets
/// (at least 6.8 years with the shortest, 100 ms, bucket). A count holds up to 2^32 - 1 per bucket, i.e. 700 million
/// calls per second for the longest bucket (6 s), far beyond what one process can send through one budget.
/// </remarks>
internal static class BudgetBuckets
{
    /// <summary>Buckets per time-to-live: a deposit lives between 9/10 of the time-to-live and all of it.</summary>
    public const int Count = 10;

    /// <summary>A slot that has never been written: older than any epoch a reader can hold.</summary>
    public static readonly long Unwritten = Pack(-Count - 1, 0);

    public static long Pack(long epoch, uint value) => ((long)(uint)epoch << 32) | value;

    public static uint ValueOf(long slot) => (uint)slot;

    /// <summary>How many buckets older than <paramref name="epoch"/> the slot's bucket is; negative when newer.</summary>
    public static int Age(long slot, long epoch) => (int)((uint)epoch - (uint)((ulong)slot >> 32));

    public static bool IsLive(int age) => age is >= 0 and < Count;

    public static long[] NewRing()
    {
        var ring = new long[Count];
        Array.Fill(ring, Unwritten);
        return ring;
    }

    public static ref long SlotOf(long[] ring, long epoch) => ref ring[(int)(epoch % Count)];

    /// <summary>
    /// Counts one event in the bucket of <paramref name="epoch"/>. Wait-free when the slot already holds that bucket
    /// (one <see cref="Interlocked.Increment(ref long)"/>); a slot still holding the bucket of one time-to-live ago is
    /// rolled over with one compare-and-swap, retried only while other threads change the same slot.
    /// </summary>
    /// <remarks>
    /// Interleavings. (a) Between the read and the increment another thread can roll the slot only to a bucket one
    /// time-to-live or more later (a slot's epochs differ by multiples of <see cref="Count"/>), which needs this thread
    /// to stall for a whole time-to-live; the increment then counts in that later bucket, the one current when it
    /// lands: counted once, never in an expired bucket. (b) Between the read and the roll's compare-and-swap any other
    /// write to the slot makes the swap fail and this thread re-reads it: a concurrent roll is then seen as the current
    /// bucket and incremented, so two threads rolling the same slot count two events, not one. (c) A slot newer than
    /// <paramref name="epoch"/> (this thread read the clock just before another thread's later read rolled it) is
    /// incremented too: the event counts in the bucket current when it lands.
    /// </remarks>
    public static void Add(long[] ring, long epoch)
    {
        ref long slot = ref SlotOf(ring, epoch);
        AddObserved(ref slot, epoch, Volatile.Read(ref slot));
    }

    /// <summary>
    /// The rest of <see cref="Add"/> once the slot was read as <paramref name="seen"/>; apart so a test can let
    /// other writers in between the read and the write.
    /// </summary>
    internal static void AddObserved(ref long slot, long epoch, long seen)
    {
        while (Age(seen, epoch) > 0)
        {
            long prior = Interlocked.CompareExchange(ref slot, Pack(epoch, 1), seen);
            if (prior == seen)
            {
                return;
            }

            seen = prior;
        }

        Interlocked.Increment(ref slot);
    }

    /// <summary>
    /// The sum of the live buckets' counts as seen from <paramref name="epoch"/>; raises <paramref name="newest"/> to
    /// the newest epoch found, so a reader whose clock read is older than a slot's bucket can start again from that
    /// bucket.
    /// </summary>
    public static long SumLive(long[] ring, long epoch, ref long newest)
    {
        long sum = 0;
        for (int i = 0; i < ring.Length; i++)
        {
            long slot = Volatile.Read(ref ring[i]);
            int age = Age(slot, epoch);
            if (age < 0)
            {
                newest = Math.Max(newest, epoch - age);
            }
            else if (age < Count)
            {
                sum += ValueOf(slot);
            }
        }

        return sum;
    }
}
