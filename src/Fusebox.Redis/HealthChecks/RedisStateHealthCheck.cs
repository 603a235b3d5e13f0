using System.Globalization;
using Fusebox.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Fusebox.Extensions;

/// <summary>Adds the shared-state health check.</summary>
public static class FuseboxRedisHealthCheckBuilderExtensions
{
    /// <summary>
    /// Healthy while breaker state is shared through Redis; <paramref name="failureStatus"/> (default Degraded) while
    /// Redis is unreachable and this replica's breakers run on local state alone. The data names the replica, the key
    /// prefix, and each breaker whose state was decided locally.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name (default <c>fusebox-redis</c>).</param>
    /// <param name="failureStatus">The status while falling back; default Degraded (the service still works).</param>
    /// <param name="tags">Tags for filtering health checks.</param>
    public static IHealthChecksBuilder AddFuseboxRedisHealthCheck(this IHealthChecksBuilder builder, string name = "fusebox-redis",
        HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var status = failureStatus ?? HealthStatus.Degraded;
        return builder.Add(new HealthCheckRegistration(name,
            sp => new RedisStateHealthCheck(sp.GetRequiredService<RedisStateCoordinator>(), status), status, tags));
    }
}

/// <summary>Reports whether breaker state is shared or running on local fallback.</summary>
public sealed class RedisStateHealthCheck : IHealthCheck
{
    private readonly RedisStateCoordinator _coordinator;
    private readonly HealthStatus _failureStatus;

    /// <summary>Creates the check.</summary>
    /// <param name="coordinator">The coordinator to report on.</param>
    /// <param name="failureStatus">The status while Redis is unavailable.</param>
    public RedisStateHealthCheck(RedisStateCoordinator coordinator, HealthStatus failureStatus = HealthStatus.Degraded)
    {
        ArgumentNullException.ThrowIfNull(coordinator);
        _coordinator = coordinator;
        _failureStatus = failureStatus;
    }

    /// <inheritdoc/>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var report = _coordinator.Report();
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["replica"] = _coordinator.ReplicaId,
            ["prefix"] = _coordinator.KeyPrefix,
            ["redis"] = _coordinator.IsRedisAvailable ? "available" : "unavailable",
        };
        foreach (var s in report.Where(s => s.Scope == StateScope.Local && s.LocalState != BreakerState.Closed))
        {
            data["local:" + s.Name] = StateNames.Of(s.LocalState);
        }

        if (_coordinator.IsRedisAvailable)
        {
            return Task.FromResult(HealthCheckResult.Healthy(
                string.Create(CultureInfo.InvariantCulture, $"{report.Count} breakers shared through Redis."), data));
        }

        string since = _coordinator.UnavailableSince is { } t ? t.ToString("O", CultureInfo.InvariantCulture) : "start-up";
        return Task.FromResult(new HealthCheckResult(_failureStatus,
            $"Redis unavailable since {since} ({_coordinator.UnavailableReason}): {report.Count} breakers run on local state only.", data: data));
    }
}
