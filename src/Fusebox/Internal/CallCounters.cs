using System.Runtime.CompilerServices;

namespace Fusebox.Internal;

/// <summary>The lifetime call counts a breaker keeps for its snapshot.</summary>
internal enum CallCounter
{
    Success = 0,
    Failure = 1,
    Rejected = 2,
    Ignored = 3,
    Slow = 4,

    /// <summary>Rejected by adaptive throttling (also counted in <see cref="Rejected"/>).</summary>
    Throttled = 5,

    /// <summary>Would have been rejected, admitted because of shadow mode.</summary>
    ShadowRejected = 6,
}

/// <summary>The counts, indexable by <see cref="CallCounter"/>.</summary>
[InlineArray(7)]
internal struct CounterValues
{
    private long _first;
}

/// <summary>
/// Lifetime call counters that cost no interlocked operation per call. Every thread that counts on a breaker gets
/// its own <see cref="Cell"/> and is its only writer, so an increment is a plain load and store to memory no other
/// thread writes: no lock prefix, no lost increment. Readers add the cells up, so a read is exact once the counting
/// threads' work is visible to the reader (after a join, an await, a lock) and may trail a count still in flight,
/// as any concurrent read of a counter does.
/// Why: an uncontended interlocked increment (plus the processor-id read a striped counter needs) was most of a
/// closed-state call's cost. A thread finds its cell at its <see cref="ThreadIndex"/> in an array: one thread-static
/// read and one array load. Threads whose index is past <see cref="MaxCells"/> count with interlocked operations
/// on a shared cell, so a breaker's memory stays bounded however many threads a process runs.
/// </summary>
internal sealed class CallCounters
{
    private static readonly int MaxCells = Math.Max(16, 2 * Environment.ProcessorCount);

    private Cell?[] _cells = []; // by thread index; index 0 (no index yet) is never filled; replaced whole, never shrunk
    private CounterValues _shared; // threads past MaxCells: written with Interlocked

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Increment(CallCounter counter)
    {
        int index = ThreadIndex.Current;
        var cells = _cells;
        if ((uint)index < (uint)cells.Length && cells[index] is { } cell)
        {
            // Single writer: a plain read-modify-write cannot lose an increment; the volatile store keeps it whole for readers.
            ref long count = ref cell.Counts[(int)counter];
            Volatile.Write(ref count, count + 1);
            return;
        }

        IncrementSlow(counter);
    }

    public long Read(CallCounter counter)
    {
        long sum = Volatile.Read(ref _shared[(int)counter]);
        foreach (var cell in Volatile.Read(ref _cells))
        {
            if (cell is not null)
            {
                sum += Volatile.Read(ref cell.Counts[(int)counter]);
            }
        }

        return sum;
    }

    /// <summary>The first count of a thread on this breaker: gives the thread its cell (or the shared one).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void IncrementSlow(CallCounter counter)
    {
        int index = ThreadIndex.Current;
        if (index == 0)
        {
            index = ThreadIndex.Assign();
        }

        if (index >= MaxCells)
        {
            Interlocked.Increment(ref _shared[(int)counter]);
            return;
        }

        var cell = CellAt(index);
        ref long count = ref cell.Counts[(int)counter];
        Volatile.Write(ref count, count + 1);
    }

    private Cell CellAt(int index)
    {
        // Copy on write, published with compare-and-swap: two threads adding their cells at once cannot drop either,
        // and a reader always sees a complete array.
        while (true)
        {
            var cells = Volatile.Read(ref _cells);
            if (index < cells.Length && cells[index] is { } existing)
            {
                return existing; // left by an ended thread that had this index: adopted, its counts kept
            }

            var grown = new Cell?[Math.Max(cells.Length, Math.Min(MaxCells, Math.Max(index + 1, 2 * cells.Length)))];
            cells.CopyTo(grown, 0);
            var cell = new Cell();
            grown[index] = cell;
            if (ReferenceEquals(Interlocked.CompareExchange(ref _cells, grown, cells), cells))
            {
                return cell;
            }
        }
    }

    /// <summary>One thread's counts.</summary>
    private sealed class Cell
    {
        public CounterValues Counts;
    }
}
