namespace Fusebox.Internal;

/// <summary>The lifetime call counts a breaker keeps for its snapshot.</summary>
internal enum CallCounter
{
    Success = 0,
    Failure = 1,
    Rejected = 2,
    Ignored = 3,
    Slow = 4,
}

/// <summary>
/// Striped, lock-free lifetime counters. Each processor (modulo the stripe count) increments its own cache line,
/// so threads on different cores do not fight over one line on every call; reads add the stripes up.
/// </summary>
internal sealed class CallCounters
{
    // 16 longs = 128 bytes per stripe: arrays are not cache-line aligned, so a stride of two lines guarantees the
    // five counters of one stripe never share a line with another stripe's.
    private const int Stride = 16;
    private const int MaxStripes = 4;
    private readonly long[] _cells;
    private readonly int _mask;

    public CallCounters()
    {
        int stripes = Math.Min(MaxStripes, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount));
        _mask = stripes - 1;
        _cells = new long[stripes * Stride];
    }

    public void Increment(CallCounter counter)
    {
        int stripe = _mask == 0 ? 0 : Thread.GetCurrentProcessorId() & _mask;
        Interlocked.Increment(ref _cells[(stripe * Stride) + (int)counter]);
    }

    public long Read(CallCounter counter)
    {
        long sum = 0;
        for (int i = (int)counter; i < _cells.Length; i += Stride)
        {
            sum += Volatile.Read(ref _cells[i]);
        }

        return sum;
    }
}
