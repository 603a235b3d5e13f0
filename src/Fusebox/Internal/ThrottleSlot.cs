namespace Fusebox.Internal;

/// <summary>
/// One bucket of a <see cref="ThrottleWindow"/> as a single <see cref="long"/>, so that every change to a bucket is one
/// compare-and-swap: the bucket's epoch (time / bucket length, low 32 bits) in the high half, then a <em>sealed</em>
/// bit, then the count (31 bits: over 400 million calls a second in the default 5 s bucket).
/// </summary>
/// <remarks>
/// Sealed means "this bucket's count is included in the window's sealed total". Every bucket but the newest (the head)
/// is sealed once the window has moved past it, so the totals are the sealed total plus the head bucket's count,
/// two reads; an add to the unsealed head bucket is a single compare-and-swap, with no running total to update.
/// </remarks>
internal static class ThrottleSlot
{
    /// <summary>Set when the count is included in the window's sealed total.</summary>
    public const long SealedBit = 1L << 31;

    private const long CountMask = SealedBit - 1;

    /// <summary>The low 32 bits of the bucket's epoch.</summary>
    public static uint Tag(long slot) => (uint)((ulong)slot >> 32);

    public static long Count(long slot) => slot & CountMask;

    public static bool IsSealed(long slot) => (slot & SealedBit) != 0;

    /// <summary>An empty bucket of <paramref name="epoch"/>.</summary>
    public static long Empty(long epoch, bool sealedBucket) => ((long)(uint)epoch << 32) | (sealedBucket ? SealedBit : 0);

    /// <summary>Whether tag <paramref name="tag"/> is of a later bucket than <paramref name="than"/> (wrap-around compare).</summary>
    public static bool IsLater(uint tag, uint than) => (int)(tag - than) > 0;
}
