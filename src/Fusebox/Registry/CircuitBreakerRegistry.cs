using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;

namespace Fusebox;

/// <summary>
/// Named breakers, one per dependency. Looking up an existing breaker is a lock-free dictionary read; creating one
/// takes a lock so that exactly one breaker is ever created per name, however many callers race.
/// </summary>
public sealed class CircuitBreakerRegistry : IDisposable
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _addGate = new();
    private readonly CircuitBreakerRegistryOptions _options;
    private readonly TimeProvider _timeProvider;
    private long _lastSweep;

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
        _lastSweep = _timeProvider.GetTimestamp();
    }

    /// <summary>The metrics shared by every breaker of this registry.</summary>
    public FuseboxMetrics Metrics { get; }

    /// <summary>The clock given to breakers this registry creates.</summary>
    public TimeProvider TimeProvider => _timeProvider;

    /// <summary>How many breakers the registry holds.</summary>
    public int Count => _entries.Count;

    /// <summary>Raised after any breaker of this registry changes state.</summary>
    public event EventHandler<CircuitStateChangedEventArgs>? StateChanged;

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
        if (!_entries.TryRemove(name, out var entry))
        {
            return false;
        }

        Detach(entry.Breaker);
        return true;
    }

    /// <summary>All breakers, in no particular order.</summary>
    public IReadOnlyList<CircuitBreaker> Breakers => _entries.Values.Select(e => e.Breaker).ToArray();

    /// <summary>The seed's status report: a snapshot of every breaker, ordered by name.</summary>
    public IReadOnlyList<CircuitSnapshot> Report() =>
        _entries.Values.Select(e => e.Breaker.Snapshot()).OrderBy(s => s.Name, StringComparer.Ordinal).ToArray();

    /// <summary>Evicts closed breakers that had no call for <see cref="CircuitBreakerRegistryOptions.EvictAfterIdle"/>.</summary>
    /// <returns>How many were evicted.</returns>
    public int EvictIdle()
    {
        if (_options.EvictAfterIdle is not { } idle)
        {
            return 0;
        }

        lock (_addGate)
        {
            return SweepLocked(idle);
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

            if (_options.EvictAfterIdle is { } idle &&
                (_timeProvider.GetElapsedTime(_lastSweep) >= idle / 4 || IsFull()))
            {
                SweepLocked(idle);
            }

            if (IsFull())
            {
                throw new InvalidOperationException(
                    $"The circuit breaker registry is full (MaxBreakers = {_options.MaxBreakers}) and no breaker is idle; cannot add '{name}'.");
            }

            var breaker = new CircuitBreaker(name, options, _timeProvider, Metrics);
            breaker.StateChanged += OnBreakerStateChanged;
            _entries[name] = new Entry(breaker, _timeProvider.GetTimestamp());
            return breaker;
        }
    }

    private bool IsFull() => _options.MaxBreakers is { } max && _entries.Count >= max;

    private int SweepLocked(TimeSpan idle)
    {
        _lastSweep = _timeProvider.GetTimestamp();
        int evicted = 0;
        foreach (var (name, entry) in _entries)
        {
            long calls = entry.Breaker.TotalCallsForIdleCheck;
            if (calls != entry.LastSeenCalls)
            {
                entry.LastSeenCalls = calls;
                entry.LastActive = _lastSweep;
            }
            else if (entry.Breaker.State == CircuitState.Closed && _timeProvider.GetElapsedTime(entry.LastActive) >= idle &&
                     _entries.TryRemove(new KeyValuePair<string, Entry>(name, entry)))
            {
                Detach(entry.Breaker);
                evicted++;
            }
        }

        return evicted;
    }

    private void Detach(CircuitBreaker breaker)
    {
        breaker.StateChanged -= OnBreakerStateChanged;
        Metrics.Untrack(breaker);
    }

    private void OnBreakerStateChanged(object? sender, CircuitStateChangedEventArgs e) => StateChanged?.Invoke(sender, e);

    /// <summary>Disposes the registry's meter.</summary>
    public void Dispose() => Metrics.Dispose();

    private sealed class Entry(CircuitBreaker breaker, long createdAt)
    {
        public CircuitBreaker Breaker { get; } = breaker;

        public long LastSeenCalls { get; set; }

        public long LastActive { get; set; } = createdAt;
    }
}
