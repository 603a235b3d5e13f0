using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Fusebox.Extensions;

/// <summary>
/// Healthy when every breaker is closed (or disabled), Degraded when any is open, half-open or isolated, Unhealthy
/// when a breaker marked critical is open or isolated. The data lists each breaker's state.
/// </summary>
internal sealed class FuseboxHealthCheck(CircuitBreakerRegistry registry, FuseboxConfiguration configuration, IReadOnlySet<string> critical) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var degraded = new List<string>();
        var failing = new List<string>();
        foreach (var breaker in registry.Breakers.OrderBy(b => b.Name, StringComparer.Ordinal))
        {
            var state = breaker.State;
            data[breaker.Name] = StateNames.Of(state);
            if (state is BreakerState.Closed or BreakerState.Disabled)
            {
                continue;
            }

            bool isCritical = critical.Contains(breaker.Name) || configuration.IsCritical(breaker.Name);
            (isCritical && state is BreakerState.Open or BreakerState.Isolated ? failing : degraded).Add($"{breaker.Name} is {StateNames.Of(state)}");
        }

        var result = failing.Count > 0
            ? HealthCheckResult.Unhealthy("Critical circuit breakers are open: " + string.Join(", ", failing.Concat(degraded)), data: data)
            : degraded.Count > 0
                ? HealthCheckResult.Degraded("Circuit breakers not closed: " + string.Join(", ", degraded), data: data)
                : HealthCheckResult.Healthy($"All {data.Count} circuit breakers are closed.", data);
        return Task.FromResult(result);
    }
}
