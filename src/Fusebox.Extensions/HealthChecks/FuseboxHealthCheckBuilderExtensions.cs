using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Fusebox.Extensions;

/// <summary>Adds the Fusebox health check.</summary>
public static class FuseboxHealthCheckBuilderExtensions
{
    /// <summary>Reports the state of every breaker in the registry: Healthy when all are closed, Degraded when any is
    /// open or half-open, Unhealthy when a critical breaker is open.</summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name (default <c>fusebox</c>).</param>
    /// <param name="criticalBreakers">Breakers whose opening makes the service Unhealthy, in addition to those marked
    /// <c>Critical</c> in configuration.</param>
    /// <param name="tags">Tags for filtering health checks.</param>
    public static IHealthChecksBuilder AddFuseboxHealthCheck(this IHealthChecksBuilder builder, string name = "fusebox",
        IEnumerable<string>? criticalBreakers = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var critical = new HashSet<string>(criticalBreakers ?? [], StringComparer.Ordinal);
        return builder.Add(new HealthCheckRegistration(name,
            sp => new FuseboxHealthCheck(sp.GetRequiredService<CircuitBreakerRegistry>(), sp.GetRequiredService<FuseboxConfiguration>(), critical),
            failureStatus: null, tags));
    }
}
