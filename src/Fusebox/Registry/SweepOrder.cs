namespace Fusebox;

/// <summary>
/// A registry's entries in the order its idle sweep visits them: earliest <see cref="RegistryEntry.QuietSince"/>
/// first. Entries join at the end with <c>QuietSince</c> = now and the clock does not go back, so the list stays
/// sorted: the sweep can stop at the first entry that is not due yet, because every entry behind it went quiet
/// later. (Were a clock to step back, the sweep would only stop early and evict later; each eviction still checks
/// its own entry's quiet time.)
/// </summary>
/// <remarks>
/// Why a list threaded through the entries: append, unlink and move to the end are O(1) and allocate nothing, and
/// <see cref="CircuitBreakerRegistry.Remove"/> unlinks its entry at once instead of leaving a stale node that would
/// keep a removed breaker alive until the sweep passed it. Not thread-safe: used only under the registry's add lock.
/// </remarks>
internal sealed class SweepOrder
{
    private RegistryEntry? _last;

    /// <summary>The entry that went quiet first; null when empty.</summary>
    public RegistryEntry? First { get; private set; }

    public void Append(RegistryEntry entry)
    {
        entry.Previous = _last;
        entry.Next = null;
        if (_last is null)
        {
            First = entry;
        }
        else
        {
            _last.Next = entry;
        }

        _last = entry;
    }

    public void Unlink(RegistryEntry entry)
    {
        if (entry.Previous is null)
        {
            First = entry.Next;
        }
        else
        {
            entry.Previous.Next = entry.Next;
        }

        if (entry.Next is null)
        {
            _last = entry.Previous;
        }
        else
        {
            entry.Next.Previous = entry.Previous;
        }

        entry.Previous = null;
        entry.Next = null;
    }

    public void MoveToEnd(RegistryEntry entry)
    {
        Unlink(entry);
        Append(entry);
    }
}
