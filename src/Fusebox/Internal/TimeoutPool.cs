using System.Runtime.CompilerServices;

namespace Fusebox.Internal;

/// <summary>
/// The idle <see cref="PooledTimeout"/>s of one <see cref="TimeProvider"/>. An item's timer belongs to the provider
/// that created it, so items are pooled per provider.
/// </summary>
/// <remarks>
/// Why a <see cref="ConditionalWeakTable{TKey, TValue}"/> for providers other than <see cref="TimeProvider.System"/>:
/// a pool is then kept exactly as long as its provider is. The table's entries are ephemerons, so the pooled items'
/// references back to their provider (through the item and its timer) do not keep the provider alive, and a test's
/// <c>FakeTimeProvider</c> and its pool are collected together. A single static array, as before, kept every dead
/// provider reachable from a static root for the life of the process. <see cref="TimeProvider.System"/> lives for the
/// whole process anyway and gets a static pool, so the production path skips the table look-up. The table's
/// <c>TryGetValue</c> takes no lock; only the first use of a provider adds an entry (under the table's own lock).
/// </remarks>
internal sealed class TimeoutPool
{
    private static readonly int s_size = Math.Min(64, Environment.ProcessorCount * 4);
    private static readonly TimeoutPool s_system = new();
    private static readonly ConditionalWeakTable<TimeProvider, TimeoutPool> s_byProvider = new();
    private readonly PooledTimeout?[] _items = new PooledTimeout?[s_size];

    /// <summary>The pool of <paramref name="timeProvider"/>'s items.</summary>
    public static TimeoutPool For(TimeProvider timeProvider) =>
        ReferenceEquals(timeProvider, TimeProvider.System) ? s_system : s_byProvider.GetValue(timeProvider, static _ => new TimeoutPool());

    /// <summary>Takes an idle item, or null when there is none.</summary>
    public PooledTimeout? TryTake()
    {
        for (int i = 0; i < _items.Length; i++)
        {
            if (Volatile.Read(ref _items[i]) is { } candidate && ReferenceEquals(Interlocked.CompareExchange(ref _items[i], null, candidate), candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Keeps <paramref name="item"/> for a later renter; false when the pool is full.</summary>
    public bool TryAdd(PooledTimeout item)
    {
        for (int i = 0; i < _items.Length; i++)
        {
            if (Interlocked.CompareExchange(ref _items[i], item, null) is null)
            {
                return true;
            }
        }

        return false;
    }
}
