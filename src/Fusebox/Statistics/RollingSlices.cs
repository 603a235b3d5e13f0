using System.Runtime.CompilerServices;

namespace Fusebox.Internal;

/// <summary>What a slice counts, besides its latency buckets.</summary>
internal enum SliceCounter
{
    Success = 0,
    Failure = 1,
    Timeout = 2,
    Slow = 3,
    Rejected = 4,
    Ignored = 5,
}

/// <summary>
/// Ten one-second slices of counts and latency buckets on the statistics' clock (<see cref="CoarseClock"/> on the
/// system clock, the breaker's own otherwise): the rolling window of
/// <see cref="BreakerStatistics"/>. A write is one interlocked increment into the slice of the current second; a
/// slice is reset lazily, by the first write of a new second that finds it holding a second ten seconds old.
/// </summary>
/// <remarks>
/// <para>Storage: one flat array, <see cref="Stride"/> ints (1 KB) per slice, so slices never share a cache line and
/// a write is an index computation and one <see cref="Interlocked.Increment(ref int)"/>. An int per second is ample
/// (2^31 calls in one second of one breaker).</para>
/// <para>The rotation race. A slice's epoch (the second it holds) goes: old second → <see cref="Rotating"/> (claimed
/// with compare-and-swap by exactly one writer) → cleared → new second (a release write, after the clear). Writers
/// that find it rotating, or lose the claim, count into the previous slice instead: their counts land one second
/// early (the previous slice still belongs to the window), never in a slice being cleared. What can be lost, and
/// why it is bounded to one slice boundary:</para>
/// <list type="bullet">
/// <item>a write that meets a rotating slice whose previous slice is itself stale (no call in the previous second):
/// it lands in a slice no reader counts. Only the writes racing one clear of 256 ints (a fraction of a microsecond)
/// at the first write of a second after a silent second, so only at very low traffic, where such a race is
/// improbable;</item>
/// <item>a writer that read the clock, then was preempted for nine seconds or more before its increment: its count
/// lands in (or is cleared from) the slice's next second.</item>
/// </list>
/// <para>A snapshot sums the slices of the last ten seconds and leaves out a slice that rotated while it was read,
/// so it may miss the writes of that one second in progress (the next snapshot has them). Counts of completed
/// seconds are exact.</para>
/// </remarks>
internal sealed class RollingSlices
{
    /// <summary>Slices in the window.</summary>
    public const int SliceCount = 10;

    /// <summary>Ints per slice: the counters, then the latency buckets, padded to 1 KB.</summary>
    public const int Stride = 256;

    /// <summary>Where a slice's latency buckets start.</summary>
    public const int BucketOffset = 8;

    /// <summary>The window the slices cover.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(SliceCount);

    private const long Unused = -1;
    private const long Rotating = long.MinValue;

    private readonly int[] _counts = new int[SliceCount * Stride];
    private readonly long[] _epochs = [Unused, Unused, Unused, Unused, Unused, Unused, Unused, Unused, Unused, Unused];

    /// <summary>Counts one event of <paramref name="second"/> (of the statistics' clock).</summary>
    public void Increment(SliceCounter counter, long second) =>
        Interlocked.Increment(ref _counts[SliceBase(second) + (int)counter]);

    /// <summary>Counts a completed call, and its duration when it was timed (<paramref name="elapsed"/> ≥ 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // into the breaker's one out-of-line Observe: no second call
    public void Completed(SliceCounter outcome, bool slow, long elapsed, long second)
    {
        int slice = SliceBase(second);
        var counts = _counts;
        Interlocked.Increment(ref counts[slice + (int)outcome]);
        if (outcome == SliceCounter.Timeout)
        {
            Interlocked.Increment(ref counts[slice + (int)SliceCounter.Failure]); // failures include timeouts
        }

        if (slow)
        {
            Interlocked.Increment(ref counts[slice + (int)SliceCounter.Slow]);
        }

        if (elapsed >= 0)
        {
            Interlocked.Increment(ref counts[slice + BucketOffset + LatencyBuckets.IndexOf(elapsed)]);
        }
    }

    /// <summary>Adds up the slices of the ten seconds ending with <paramref name="second"/>.</summary>
    /// <param name="second">The current second of the statistics' clock.</param>
    /// <param name="totals">Receives <see cref="Stride"/> sums: counters at their <see cref="SliceCounter"/>, buckets from <see cref="BucketOffset"/>.</param>
    public void Sum(long second, Span<long> totals)
    {
        Span<long> slice = stackalloc long[Stride];
        for (int s = 0; s < SliceCount; s++)
        {
            long epoch = Volatile.Read(ref _epochs[s]);
            if (epoch <= second - SliceCount || epoch > second)
            {
                continue; // unused, rotating, expired, or (a writer whose clock read came after ours) newer
            }

            var counts = _counts.AsSpan(s * Stride, Stride);
            for (int i = 0; i < Stride; i++)
            {
                slice[i] = Volatile.Read(ref counts[i]);
            }

            if (Volatile.Read(ref _epochs[s]) != epoch)
            {
                continue; // rotated while read: part of it may already be another second's
            }

            for (int i = 0; i < Stride; i++)
            {
                totals[i] += slice[i];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int SliceBase(long second)
    {
        int index = (int)((ulong)second % SliceCount); // seconds are never negative; unsigned is a shorter division
        return (Volatile.Read(ref _epochs[index]) == second ? index : Rotate(index, second)) * Stride;
    }

    /// <summary>The first write of a new second into a slice: see the class remarks for the race.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int Rotate(int index, long second)
    {
        ref long epoch = ref _epochs[index];
        while (true)
        {
            long seen = Volatile.Read(ref epoch);
            if (seen >= second)
            {
                return index; // rotated by another writer meanwhile (or, after a nine-second stall, past our second)
            }

            if (seen == Rotating)
            {
                return (index + SliceCount - 1) % SliceCount; // being cleared: one second early rather than erased
            }

            if (Interlocked.CompareExchange(ref epoch, Rotating, seen) == seen)
            {
                Array.Clear(_counts, index * Stride, Stride);
                Volatile.Write(ref epoch, second); // after the clear: a writer that sees the new second writes into zeros
                return index;
            }
        }
    }
}
