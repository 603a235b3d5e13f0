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
    /// The most breakers the registry holds; null for no limit. When full, idle breakers are evicted first; if
    /// none is idle, <see cref="CircuitBreakerRegistry.GetOrAdd(string)"/> throws. Set it when names come from
    /// requests (hosts, tenants) so that hostile input cannot grow memory without bound. [1, 10,000,000].
    /// </summary>
    public int? MaxBreakers { get; set; }

    /// <summary>
    /// Evicts closed breakers that saw no call for this long; null to keep every breaker. Idleness is detected by
    /// comparing call counts between sweeps, which run when breakers are added (or on <see cref="CircuitBreakerRegistry.EvictIdle"/>),
    /// so the call path pays nothing for it. (0, 1 day].
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
