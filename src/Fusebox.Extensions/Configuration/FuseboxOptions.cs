namespace Fusebox.Extensions;

/// <summary>The <c>Fusebox</c> configuration section.</summary>
/// <example>
/// <code>
/// "Fusebox": {
///   "Defaults": { "BreakDuration": "00:00:30" },
///   "Breakers": {
///     "fraud-service": { "TripPolicy": "FailureRate", "FailureRateThreshold": 0.5, "WindowSize": 20, "MinimumCalls": 10, "Critical": true }
///   }
/// }
/// </code>
/// </example>
public sealed class FuseboxOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Fusebox";

    /// <summary>Settings every breaker starts from.</summary>
    public BreakerConfiguration Defaults { get; set; } = new();

    /// <summary>Settings per breaker name, layered over <see cref="Defaults"/>. A breaker named <c>a/b</c> with no entry
    /// of its own uses the entry <c>a</c> (the HTTP handler names per-host breakers <c>{client}/{authority}</c>).
    /// Names are matched ignoring case, as configuration matches keys: the entry <c>Fraud</c> configures the breakers
    /// <c>fraud</c> and <c>FRAUD</c> (two breakers, since the registry's names are case-sensitive). In configuration,
    /// an entry whose <c>Name</c> is set configures the breaker of that name instead of the one named by its key, which
    /// is how a name containing <c>:</c> (the configuration path separator) is configured.</summary>
    public Dictionary<string, BreakerConfiguration> Breakers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <inheritdoc cref="CircuitBreakerRegistryOptions.MaxBreakers"/>
    public int? MaxBreakers { get; set; }

    /// <inheritdoc cref="CircuitBreakerRegistryOptions.EvictAfterIdle"/>
    public TimeSpan? EvictAfterIdle { get; set; }

    /// <summary>Code-configured callbacks applied to every breaker's options after configuration (predicates cannot come from JSON).</summary>
    internal List<Action<string, CircuitBreakerOptions>> Customizations { get; } = [];

    /// <summary>Where these options were read from, and what could not be read (reported by validation).</summary>
    internal ConfigurationProvenance Provenance { get; } = new();
}
