namespace Fusebox.Internal;

/// <summary>
/// The last <see cref="Capacity"/> transitions of a breaker, for <see cref="CircuitSnapshot.RecentTransitions"/>.
/// Created on the breaker's first transition and kept for its lifetime; written only by transitions, which are rare,
/// so a short lock is fine here (it is never taken by a call that does not change the state).
/// </summary>
internal sealed class TransitionRing
{
    /// <summary>How many transitions are kept.</summary>
    public const int Capacity = 32;

    private readonly TransitionRecord[] _records = new TransitionRecord[Capacity];
    private readonly Lock _gate = new();
    private long _written;

    public void Add(TransitionRecord record)
    {
        lock (_gate)
        {
            // Two transitions are published by compare-and-swap one after the other, but their threads may get here
            // in either order: the ring is kept in generation order, which is the order they happened in.
            long at = _written++;
            while (at > 0 && at > _written - Capacity && _records[(at - 1) % Capacity].Generation > record.Generation)
            {
                _records[at % Capacity] = _records[(at - 1) % Capacity];
                at--;
            }

            _records[at % Capacity] = record;
        }
    }

    /// <summary>The kept transitions, oldest first.</summary>
    public TransitionRecord[] Read()
    {
        lock (_gate)
        {
            int count = (int)Math.Min(_written, Capacity);
            var copy = new TransitionRecord[count];
            for (int i = 0; i < count; i++)
            {
                copy[i] = _records[(_written - count + i) % Capacity];
            }

            return copy;
        }
    }
}
