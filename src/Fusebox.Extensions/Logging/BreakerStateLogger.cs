using Microsoft.Extensions.Logging;

namespace Fusebox.Extensions;

/// <summary>Logs every state change of a registry's breakers through <see cref="FuseboxLog"/>.</summary>
internal static class BreakerStateLogger
{
    public static void Attach(CircuitBreakerRegistry registry, ILogger logger) =>
        registry.StateChanged += (sender, e) => Log(logger, sender as CircuitBreaker, e);

    private static void Log(ILogger logger, CircuitBreaker? breaker, CircuitStateChangedEventArgs e)
    {
        switch (e.NewState)
        {
            case CircuitState.Open when logger.IsEnabled(LogLevel.Warning):
                var snapshot = breaker?.Snapshot();
                FuseboxLog.BreakerOpened(logger, e.BreakerName, e.Reason, e.Description, snapshot?.FailureRate ?? 0, snapshot?.RetryAfter);
                break;
            case CircuitState.HalfOpen:
                FuseboxLog.BreakerHalfOpened(logger, e.BreakerName);
                break;
            case CircuitState.Closed:
                FuseboxLog.BreakerClosed(logger, e.BreakerName, e.Reason, e.Description);
                break;
            case CircuitState.Isolated or CircuitState.Disabled:
                FuseboxLog.BreakerManual(logger, e.BreakerName, e.NewState, e.Description);
                break;
        }
    }
}
