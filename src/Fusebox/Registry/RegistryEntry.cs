namespace Fusebox;

/// <summary>
/// A breaker held by a <see cref="CircuitBreakerRegistry"/>, with what the registry's idle sweep knows about it.
/// Only <see cref="Breaker"/> is read outside the registry's add lock (by lookups); every other field is read and
/// written only under it.
/// </summary>
internal sealed class RegistryEntry(CircuitBreaker breaker, long quietSince)
{
    public CircuitBreaker Breaker { get; } = breaker;

    /// <summary>The breaker's call count when the registry last looked at it (0 when added: a new breaker has none).</summary>
    public long CallsSeen { get; set; }

    /// <summary>
    /// Registry timestamp from which the breaker must go without calls for <c>EvictAfterIdle</c> before it is
    /// evicted: when it was added, or when the sweep last found it called since its previous look, or not evictable.
    /// </summary>
    public long QuietSince { get; set; } = quietSince;

    /// <summary>Links in <see cref="SweepOrder"/>.</summary>
    public RegistryEntry? Previous { get; set; }

    /// <summary>Links in <see cref="SweepOrder"/>.</summary>
    public RegistryEntry? Next { get; set; }
}
