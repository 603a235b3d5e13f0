namespace Fusebox;

/// <summary>Options for a <see cref="CircuitBreakerRegistry"/>.</summary>
public sealed class CircuitBreakerRegistryOptions
{
    /// <summary>Options for breakers created by <see cref="CircuitBreakerRegistry.GetOrAdd(string)"/>. Default: the seed's.</summary>
    public CircuitBreakerOptions DefaultOptions { get; set; } = new();

    /// <summary>
    /// Options per breaker name, consulted when <see cref="CircuitBreakerRegistry.GetOrAdd(string)"/> creates a breaker;
    /// returning null falls back to <see cref="DefaultOptions"/>. Configuration binding uses it for named breakers.
    /// </summary>
    public Func<string, CircuitBreakerOptions?>? OptionsFor { get; set; }

    /// <summary>
    /// The most breakers the registry holds; null for no limit. Set it when names come from requests (hosts,
    /// tenants) so that hostile input cannot grow memory without bound. [1, 10,000,000].
    /// When the registry is full, <see cref="CircuitBreakerRegistry.GetOrAdd(string)"/> first evicts idle breakers
    /// (see <see cref="EvictAfterIdle"/>) among those its sweep step looks at, and throws
    /// <see cref="InvalidOperationException"/> if that leaves no room. Because one add looks at a bounded number of
    /// breakers (so adding stays O(1) at any size), a full registry whose longest-quiet breakers turn out busy may refuse
    /// a name although an idle breaker sits further along; each refused add moves the sweep on, and
    /// <see cref="CircuitBreakerRegistry.EvictIdle"/> sweeps everything at once.
    /// </summary>
    public int? MaxBreakers { get; set; }

    /// <summary>
    /// Evicts breakers that saw no call for this long; null to keep every breaker. (0, 1 day].
    /// A breaker is idle when it had no call (admitted, rejected or ignored) for this long and is closed, open with
    /// its break over, or half-open with no probe in flight; an open breaker within its break, an isolated or a
    /// disabled one is kept. So failing hosts nobody calls any more do not hold their slots for ever; the next use of an
    /// evicted name gets a fresh, closed breaker (its break backoff starts again, and a dependency still down trips it
    /// again by the trip policy's rule rather than after one probe).
    /// Idleness is detected by comparing a breaker's call count between looks at least this far apart, so the call
    /// path pays nothing: a breaker goes no sooner than this after its last call, and usually within twice this.
    /// The looks are an incremental sweep, earliest quiet first: every add looks at a bounded number of breakers
    /// that are due, so an add costs O(1) however many breakers the registry holds, and
    /// <see cref="CircuitBreakerRegistry.EvictIdle"/> looks at all that are due at once.
    /// </summary>
    public TimeSpan? EvictAfterIdle { get; set; }

    /// <summary>Throws when a value is out of range, naming the option and the allowed range.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        if (DefaultOptions is null)
        {
            throw new ArgumentNullException(nameof(DefaultOptions), "CircuitBreakerRegistryOptions.DefaultOptions is required.");
        }

        DefaultOptions.Validate();
        if (MaxBreakers is { } max && (max < 1 || max > 10_000_000))
        {
            throw new ArgumentOutOfRangeException($"CircuitBreakerRegistryOptions.{nameof(MaxBreakers)}", max,
                $"CircuitBreakerRegistryOptions.MaxBreakers must be in [1, 10000000] (was {max}).");
        }

        if (EvictAfterIdle is { } idle && (idle <= TimeSpan.Zero || idle > TimeSpan.FromDays(1)))
        {
            throw new ArgumentOutOfRangeException($"CircuitBreakerRegistryOptions.{nameof(EvictAfterIdle)}", idle,
                $"CircuitBreakerRegistryOptions.EvictAfterIdle must be greater than zero and at most 1.00:00:00 (was {idle}).");
        }
    }
}
