using System.Collections.Concurrent;

namespace Fusebox.Http;

/// <summary>A breaker of the registry and the caller that retries through it, as one handler uses them for one key.</summary>
internal sealed record Guard(CircuitBreaker Breaker, ResilientCaller? Caller);

/// <summary>
/// The handler's key → breaker map, kept in step with the registry: it saves the name concatenation and the caller's
/// construction per request, never the registry's say over which breaker a name means.
/// </summary>
/// <remarks>
/// <para>Every hit is checked against the registry: the cached breaker must still be the one the registry holds under
/// its name (one lock-free dictionary read, no allocation). So a breaker the registry evicted or removed is dropped at
/// its key's next request, and the request goes through the registry's current breaker, the one an operator isolates
/// by name (admin API), a health check reports and a coordinator shares.</para>
/// <para>Interleavings. A breaker evicted between the check and the request serves that one request: the window the
/// registry documents for any holder of a breaker, which a second check could only move, not close. Two requests
/// refreshing one key at once both ask the registry, which creates at most one breaker per name; if an eviction lands
/// between them the later write may store the older breaker, and the next request's check replaces it. A purge removes
/// an entry only if it is still the stale guard it examined (<c>TryRemove</c> of the pair), so it never drops a guard
/// refreshed meanwhile; one purge runs at a time (a flag, taken on misses only, never on the hit path).</para>
/// <para>Bound. Keys nobody requests again are never checked, so misses purge: when the map reaches twice the entries
/// the last purge kept (at least 64), every entry whose breaker the registry no longer holds goes. The map therefore
/// holds at most twice as many keys (plus 64) as the registry held breakers of this handler at the last purge, and a
/// purge costs O(entries) once per doubling: O(1) per miss, amortised.</para>
/// </remarks>
internal sealed class BreakerGuards(CircuitBreakerRegistry registry, string prefix, Func<CircuitBreaker, ResilientCaller?> createCaller)
{
    private const int MinimumPurgeSize = 64;

    private readonly ConcurrentDictionary<string, Guard> _guards = new(StringComparer.Ordinal);
    private int _purgeAt = MinimumPurgeSize;
    private int _purging;

    /// <summary>How many keys are cached (for tests).</summary>
    public int Count => _guards.Count;

    /// <summary>The registry's name for the breaker of <paramref name="key"/>.</summary>
    public string NameOf(string key) => $"{prefix}/{key}";

    /// <summary>The guard of <paramref name="key"/>, on the registry's current breaker of its name.</summary>
    /// <exception cref="InvalidOperationException">The registry is full and no breaker is idle.</exception>
    public Guard Get(string key)
    {
        if (_guards.TryGetValue(key, out var cached) && IsCurrent(cached.Breaker))
        {
            return cached;
        }

        CircuitBreaker breaker;
        try
        {
            breaker = registry.GetOrAdd(NameOf(key));
        }
        catch (InvalidOperationException)
        {
            if (cached is not null)
            {
                _guards.TryRemove(new KeyValuePair<string, Guard>(key, cached)); // stale, and nothing to replace it with
            }

            throw;
        }

        var guard = new Guard(breaker, createCaller(breaker));
        _guards[key] = guard;
        if (cached is null && _guards.Count >= Volatile.Read(ref _purgeAt))
        {
            Purge();
        }

        return guard;
    }

    private bool IsCurrent(CircuitBreaker breaker) => registry.TryGet(breaker.Name, out var current) && ReferenceEquals(current, breaker);

    private void Purge()
    {
        if (Interlocked.Exchange(ref _purging, 1) == 1)
        {
            return; // another miss is purging; this one's entry is counted by the next
        }

        try
        {
            foreach (var entry in _guards)
            {
                if (!IsCurrent(entry.Value.Breaker))
                {
                    _guards.TryRemove(entry);
                }
            }

            Volatile.Write(ref _purgeAt, Math.Max(MinimumPurgeSize, 2 * _guards.Count));
        }
        finally
        {
            Volatile.Write(ref _purging, 0);
        }
    }
}
