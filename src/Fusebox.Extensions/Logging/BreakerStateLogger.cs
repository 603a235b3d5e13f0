using Microsoft.Extensions.Logging;

namespace Fusebox.Extensions;

/// <summary>Logs every state change of a registry's breakers through <see cref="FuseboxLog"/>.</summary>
internal static class BreakerStateLogger
{
    public static void Attach(CircuitBreakerRegistry registry, ILogger logger) =>
        registry.StateChanged += (sender, e) => Log(logger, sender as CircuitBreaker, e);

    private static void Log(ILogger logger, CircuitBreaker? breaker, BreakerStateChangedEventArgs e)
    {
        switch (e.NewState)
        {
            case BreakerState.Open when logger.IsEnabled(LogLevel.Warning):
                var snapshot = breaker?.Snapshot();
                FuseboxLog.BreakerOpened(logger, e.BreakerName, e.Reason, e.Description, snapshot?.FailureRate ?? 0, snapshot?.RetryAfter);
                break;
            case BreakerState.HalfOpen:
                FuseboxLog.BreakerHalfOpened(logger, e.BreakerName);
                break;
            case BreakerState.Closed:
                FuseboxLog.BreakerClosed(logger, e.BreakerName, e.Reason, e.Description);
                break;
            case BreakerState.Isolated or BreakerState.Disabled:
                FuseboxLog.BreakerManual(logger, e.BreakerName, e.NewState, e.Description);
                break;
        }
    }
}
