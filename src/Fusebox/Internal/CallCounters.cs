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
}

/// <summary>The five counts, indexable by <see cref="CallCounter"/>.</summary>
[InlineArray(5)]
internal struct CallCounts
{
    private long _first;
}

/// <summary>
/// Lifetime call counters that cost no interlocked operation per call. Every thread that counts on a breaker gets
/// its own <see cref="Cell"/> and is its only writer, so an increment is a plain load and store to a line no other
/// thread writes: no lock prefix, no lost increment. Readers add the cells up, so a read is exact once the counting
/// threads' work is visible to the reader (after a join, an await, a lock) and may trail a count still in flight,
/// as any concurrent read of a counter does.
/// Why: an uncontended interlocked increment (plus the processor-id read a striped counter needs) was most of a
/// closed-state call's cost. A thread finds its cell through a small thread-static table indexed by the counters'
/// id; when two breakers collide in a thread's table the loser walks its own cell list (still no allocation), and
/// past <see cref="MaxCells"/> threads a breaker counts the rest with interlocked operations on a shared cell, so
/// memory per breaker stays bounded however many threads come and go.
/// </summary>
internal sealed class CallCounters
{
    private const int CacheSlots = 16; // a power of two: a thread's first 16 breakers never collide
    private static readonly int MaxCells = Math.Max(16, 2 * Environment.ProcessorCount);
    private static int s_nextId;

    [ThreadStatic]
    private static Cell?[]? t_cells;

    private readonly int _slot = Interlocked.Increment(ref s_nextId) & (CacheSlots - 1);
    private CallCounts _shared; // threads past MaxCells: written with Interlocked
    private Cell? _cells; // each thread's cell, pushed with compare-and-swap and never removed
    private int _cellCount;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Increment(CallCounter counter)
    {
        if (t_cells is { } table && table[_slot] is { } cell && ReferenceEquals(cell.Owner, this))
        {
            // Single writer: a plain read-modify-write cannot lose an increment; the volatile store keeps it atomic for readers.
            ref long count = ref cell.Counts[(int)counter];
            Volatile.Write(ref count, count + 1);
            return;
        }

        IncrementSlow(counter);
    }

    public long Read(CallCounter counter)
    {
        long sum = Volatile.Read(ref _shared[(int)counter]);
        for (var cell = Volatile.Read(ref _cells); cell is not null; cell = cell.Next)
        {
            sum += Volatile.Read(ref cell.Counts[(int)counter]);
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void IncrementSlow(CallCounter counter)
    {
        if (CellOfThisThread() is { } cell)
        {
            ref long count = ref cell.Counts[(int)counter];
            Volatile.Write(ref count, count + 1);
        }
        else
        {
            Interlocked.Increment(ref _shared[(int)counter]);
        }
    }

    private Cell? CellOfThisThread()
    {
        // A managed thread id is unique among live threads; a cell left by a thread that ended is adopted by the
        // next thread given its id, which is safe because its first writer will never write again.
        int thread = Environment.CurrentManagedThreadId;
        var cell = Volatile.Read(ref _cells);
        while (cell is not null && cell.ThreadId != thread)
        {
            cell = cell.Next;
        }

        if (cell is null)
        {
            if (Volatile.Read(ref _cellCount) >= MaxCells)
            {
                return null;
            }

            Interlocked.Increment(ref _cellCount);
            cell = new Cell(this, thread);
            Cell? head;
            do
            {
                head = Volatile.Read(ref _cells);
                cell.Next = head;
            }
            while (!ReferenceEquals(Interlocked.CompareExchange(ref _cells, cell, head), head));
        }

        (t_cells ??= new Cell?[CacheSlots])[_slot] = cell;
        return cell;
    }

    /// <summary>One thread's counts. Holds its counters (not the breaker), so a thread's table keeps at most the
    /// counters of a dropped breaker alive, never the breaker.</summary>
    private sealed class Cell(CallCounters owner, int threadId)
    {
        public readonly CallCounters Owner = owner;
        public readonly int ThreadId = threadId;
        public Cell? Next;
        public CallCounts Counts;
    }
}
