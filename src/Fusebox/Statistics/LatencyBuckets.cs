using System.Numerics;

namespace Fusebox.Internal;

/// <summary>
/// The latency histogram's buckets, HDR-style and log-linear, over whole microseconds: one bucket per microsecond
/// below 8 µs, then every power of two split into 8 equal sub-buckets, up to 2^32 µs (about 71 minutes; longer calls
/// land in the last bucket). 240 buckets. A bucket's width is at most 1/8 of its lower bound, so reporting a bucket's
/// upper bound overstates a duration by at most 12.5 % (at most 1 µs below 8 µs).
/// Why log-linear: a fixed relative error from microseconds to an hour in a few hundred counters, and the index is
/// one leading-zero count and two shifts (no loop, no table), cheap enough for the call path.
/// </summary>
internal static class LatencyBuckets
{
    /// <summary>Sub-buckets per power of two: the relative error bound is 1/<see cref="SubBuckets"/>.</summary>
    public const int SubBuckets = 8;

    /// <summary>How many buckets there are.</summary>
    public const int Count = 240;

    private const int SubBits = 3; // log2(SubBuckets)

    private const int LargestMajor = 31; // 2^31 µs ≤ d < 2^32 µs: the last power of two

    /// <summary>The bucket of a duration given in <see cref="TimeSpan"/> ticks (negative counts as zero).</summary>
    public static int IndexOf(long ticks)
    {
        ulong micros = ticks <= 0 ? 0 : (ulong)ticks / TimeSpan.TicksPerMicrosecond;
        if (micros < SubBuckets)
        {
            return (int)micros;
        }

        int major = BitOperations.Log2(micros);
        if (major > LargestMajor)
        {
            return Count - 1;
        }

        int shift = major - SubBits;
        return ((major - SubBits + 1) << SubBits) + (int)((micros >> shift) & (SubBuckets - 1));
    }

    /// <summary>The first duration, in microseconds, above bucket <paramref name="index"/> (its exclusive upper bound).</summary>
    public static long UpperBoundMicroseconds(int index)
    {
        if (index < SubBuckets)
        {
            return index + 1;
        }

        int shift = (index >> SubBits) - 1; // major - SubBits
        return (long)(SubBuckets + (index & (SubBuckets - 1)) + 1) << shift;
    }

    /// <summary>The smallest duration, in microseconds, in bucket <paramref name="index"/>.</summary>
    public static long LowerBoundMicroseconds(int index) =>
        index < SubBuckets ? index : (long)(SubBuckets + (index & (SubBuckets - 1))) << ((index >> SubBits) - 1);
}
