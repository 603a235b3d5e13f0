using Microsoft.Extensions.Logging;

namespace Fusebox.Extensions;

/// <summary>
/// Fusebox's log events (source-generated: no boxing, no formatting unless the level is enabled). Opening is a
/// warning; half-open and close are information; a rejected call is debug only — one line per rejected call at
/// warning would flood the logs exactly during an outage.
/// </summary>
public static partial class FuseboxLog
{
    /// <summary>A breaker opened.</summary>
    [LoggerMessage(EventId = 1001, EventName = "BreakerOpened", Level = LogLevel.Warning,
        Message = "Circuit breaker '{Breaker}' opened: {Reason} ({Description}); failure rate {FailureRate:0.0%}; calls rejected for {RetryAfter}")]
    public static partial void BreakerOpened(ILogger logger, string breaker, TransitionReason reason, string? description, double failureRate, TimeSpan? retryAfter);

    /// <summary>A breaker moved to half-open.</summary>
    [LoggerMessage(EventId = 1002, EventName = "BreakerHalfOpened", Level = LogLevel.Information,
        Message = "Circuit breaker '{Breaker}' is half-open: admitting probe calls")]
    public static partial void BreakerHalfOpened(ILogger logger, string breaker);

    /// <summary>A breaker closed.</summary>
    [LoggerMessage(EventId = 1003, EventName = "BreakerClosed", Level = LogLevel.Information,
        Message = "Circuit breaker '{Breaker}' closed: {Reason} ({Description})")]
    public static partial void BreakerClosed(ILogger logger, string breaker, TransitionReason reason, string? description);

    /// <summary>An operator isolated or disabled a breaker.</summary>
    [LoggerMessage(EventId = 1004, EventName = "BreakerManual", Level = LogLevel.Warning,
        Message = "Circuit breaker '{Breaker}' is now {State} by manual action ({Description})")]
    public static partial void BreakerManual(ILogger logger, string breaker, BreakerState state, string? description);

    /// <summary>A call was rejected (debug only).</summary>
    [LoggerMessage(EventId = 1005, EventName = "CallRejected", Level = LogLevel.Debug,
        Message = "Circuit breaker '{Breaker}' rejected a call ({State}); retry after {RetryAfter}")]
    public static partial void CallRejected(ILogger logger, string breaker, BreakerState state, TimeSpan? retryAfter);

    /// <summary>A configuration reload was invalid and ignored.</summary>
    [LoggerMessage(EventId = 1010, EventName = "ReloadRejected", Level = LogLevel.Error,
        Message = "Fusebox configuration reload ignored, keeping the last good options: {Errors}")]
    public static partial void ReloadRejected(ILogger logger, string errors);

    /// <summary>A configuration reload was adopted.</summary>
    [LoggerMessage(EventId = 1011, EventName = "ReloadAdopted", Level = LogLevel.Information,
        Message = "Fusebox configuration reloaded ({Count} named breakers); existing breakers adopted the new thresholds")]
    public static partial void ReloadAdopted(ILogger logger, int count);
}
