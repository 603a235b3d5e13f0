using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;

namespace Fusebox;

/// <summary>
/// Named breakers, one per dependency. Looking up an existing breaker is a lock-free dictionary read; creating one
/// takes a lock so that exactly one breaker is ever created per name, however many callers race.
/// </summary>
/// <remarks>
/// With <see cref="CircuitBreakerRegistryOptions.EvictAfterIdle"/>, idle breakers are found by an incremental sweep:
/// the entries sit in a <see cref="SweepOrder"/> (earliest quiet first) and every add looks at no more than
/// <see cref="MaxExaminedPerAdd"/> of the entries that are due, so adding costs O(1) however many breakers the
/// registry holds, full or not, and a pass over all of them is spread over the adds. The add lock guards the
/// dictionary's membership and the sweep order together: an entry is in one exactly when it is in the other.
/// </remarks>
public sealed partial class CircuitBreakerRegistry : IDisposable
{
    /// <summary>The most entries one add examines for idleness. Bounds an add's cost; large enough that the sweep keeps
    /// up with the breakers that stay busy (each busy one is looked at once per EvictAfterIdle, and goes to the back).</summary>
    internal const int MaxExaminedPerAdd = 32;

    private readonly ConcurrentDictionary<string, RegistryEntry> _entries = new(StringComparer.Ordinal);
    private readonly SweepOrder _sweepOrder = new();
    private readonly Lock _addGate = new();
    private readonly CircuitBreakerRegistryOptions _options;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a registry.</summary>
    /// <param name="options">Registry options (validated now); null for defaults.</param>
    /// <param name="timeProvider">The clock for every breaker it creates; default the system clock.</param>
    /// <param name="meterFactory">Creates the <c>Fusebox</c> meter; null to use a meter of the registry's own.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public CircuitBreakerRegistry(CircuitBreakerRegistryOptions? options = null, TimeProvider? timeProvider = null, IMeterFactory? meterFactory = null)
    {
        _options = options ?? new CircuitBreakerRegistryOptions();
        _options.Validate();
        _timeProvider = timeProvider ?? TimeProvider.System;
        Metrics = new FuseboxMetrics(meterFactory);
    }

    /// <summary>The metrics shared by every breaker of this registry.</summary>
    public FuseboxMetrics Metrics { get; }

    /// <summary>The clock given to breakers this registry creates.</summary>
    public TimeProvider TimeProvider => _timeProvider;

    /// <summary>How many breakers the registry holds.</summary>
    public int Count => _entries.Count;

    /// <summary>Raised after any breaker of this registry changes state.</summary>
    public event EventHandler<BreakerStateChangedEventArgs>? StateChanged;

    /// <summary>Returns the breaker named <paramref name="name"/>, creating it if needed with the options
    /// <see cref="CircuitBreakerRegistryOptions.OptionsFor"/> gives for the name, else the default options.</summary>
    /// <exception cref="InvalidOperationException">The registry is full (<see cref="CircuitBreakerRegistryOptions.MaxBreakers"/>) and no breaker is idle.</exception>
    public CircuitBreaker GetOrAdd(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return _entries.TryGetValue(name, out var entry)
            ? entry.Breaker
            : Add(name, _options.OptionsFor?.Invoke(name) ?? _options.DefaultOptions);
    }

    /// <summary>Returns the breaker named <paramref name="name"/>, creating it with <paramref name="options"/> if needed.
    /// An existing breaker keeps the options it was created with.</summary>
    /// <exception cref="InvalidOperationException">The registry is full and no breaker is idle.</exception>
    public CircuitBreaker GetOrAdd(string name, CircuitBreakerOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        return _entries.TryGetValue(name, out var entry) ? entry.Breaker : Add(name, options);
    }

    /// <summary>Finds an existing breaker without creating one.</summary>
    public bool TryGet(string name, [NotNullWhen(true)] out CircuitBreaker? breaker)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_entries.TryGetValue(name, out var entry))
        {
            breaker = entry.Breaker;
            return true;
        }

        breaker = null;
        return false;
    }

    /// <summary>Removes a breaker. Code that still holds it can keep using it; it is no longer reported.</summary>
    public bool Remove(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_addGate)
        {
            if (!_entries.TryRemove(name, out var entry))
            {
                return false;
            }

            _sweepOrder.Unlink(entry);
            Detach(entry.Breaker);
            return true;
        }
    }

    /// <summary>For tests: how many entries the idle sweep has examined in all.</summary>
    internal long EntriesExamined { get; private set; }

    /// <summary>All breakers, in no particular order.</summary>
    public IReadOnlyList<CircuitBreaker> Breakers => _entries.Values.Select(e => e.Breaker).ToArray();

    /// <summary>The seed's status report: a snapshot of every breaker, ordered by name.</summary>
    public IReadOnlyList<CircuitSnapshot> Report() =>
        _entries.Values.Select(e => e.Breaker.Snapshot()).OrderBy(s => s.Name, StringComparer.Ordinal).ToArray();

    /// <summary>Evicts every idle breaker now, instead of a few per add: breakers that had no call for
    /// <see cref="CircuitBreakerRegistryOptions.EvictAfterIdle"/> and are closed, open with the break over, or
    /// half-open with no probe in flight. Costs one look at each breaker that is due for one.</summary>
    /// <returns>How many were evicted; 0 without <see cref="CircuitBreakerRegistryOptions.EvictAfterIdle"/>.</returns>
    public int EvictIdle()
    {
        if (_options.EvictAfterIdle is not { } idle)
        {
            return 0;
        }

        lock (_addGate)
        {
            return SweepLocked(idle, int.MaxValue);
        }
    }

    private CircuitBreaker Add(string name, CircuitBreakerOptions options)
    {
        lock (_addGate)
        {
            if (_entries.TryGetValue(name, out var existing))
            {
                return existing.Breaker;
            }

            if (_options.EvictAfterIdle is { } idle)
            {
                SweepLocked(idle, MaxExaminedPerAdd);
            }

            if (IsFull())
            {
                throw new InvalidOperationException(
                    $"The circuit breaker registry is full (MaxBreakers = {_options.MaxBreakers}) and no breaker is idle; cannot add '{name}'.");
            }

            var breaker = new CircuitBreaker(name, options, _timeProvider, Metrics);
            breaker.StateChanged += OnBreakerStateChanged;
            var entry = new RegistryEntry(breaker, _timeProvider.GetTimestamp());
            _entries[name] = entry;
            _sweepOrder.Append(entry);
            return breaker;
        }
    }

    private bool IsFull() => _options.MaxBreakers is { } max && _entries.Count >= max;

    /// <summary>
    /// Looks at up to <paramref name="budget"/> entries that are due (quiet for <paramref name="idle"/>), earliest first.
    /// One whose call count has not moved since the last look and whose breaker is evictable goes; any other goes to
    /// the back, quiet from now. So an entry is evicted only after two looks at least <paramref name="idle"/> apart saw
    /// the same count: never sooner than <paramref name="idle"/> after its last call, and (while adds keep the sweep
    /// moving) usually within twice that, the first look after a call only learning that some call happened.
    /// </summary>
    /// <remarks>
    /// Lookups do not take the lock, so a caller may have fetched an entry's breaker just before it is evicted and
    /// call it afterwards: that call goes to the evicted breaker, which keeps working for whoever holds it (it is just
    /// no longer reported), and the next lookup of the name creates a fresh one. Checking again after the removal could
    /// not close that window (the caller may call at any later time), and closing it would put a write on every lookup.
    /// </remarks>
    private int SweepLocked(TimeSpan idle, int budget)
    {
        long now = _timeProvider.GetTimestamp();
        int evicted = 0;
        for (int examined = 0; examined < budget && _sweepOrder.First is { } entry; examined++)
        {
            if (_timeProvider.GetElapsedTime(entry.QuietSince, now) < idle)
            {
                break; // sorted by QuietSince: nothing behind this entry is due either
            }

            EntriesExamined++;
            long calls = entry.Breaker.TotalCallsForIdleCheck;
            if (calls == entry.CallsSeen && entry.Breaker.IsEvictable())
            {
                _entries.TryRemove(new KeyValuePair<string, RegistryEntry>(entry.Breaker.Name, entry));
                _sweepOrder.Unlink(entry);
                Detach(entry.Breaker);
                evicted++;
            }
            else
            {
                entry.CallsSeen = calls;
                entry.QuietSince = now;
                _sweepOrder.MoveToEnd(entry);
            }
        }

        return evicted;
    }

    private void Detach(CircuitBreaker breaker)
    {
        breaker.StateChanged -= OnBreakerStateChanged;
        Metrics.Untrack(breaker);
    }

    private void OnBreakerStateChanged(object? sender, BreakerStateChangedEventArgs e) => StateChanged?.Invoke(sender, e);

    /// <summary>Disposes the registry's meter.</summary>
    public void Dispose() => Metrics.Dispose();
}
