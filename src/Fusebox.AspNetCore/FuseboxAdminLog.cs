using Microsoft.Extensions.Logging;

namespace Fusebox.AspNetCore;

/// <summary>Log events of the admin endpoints.</summary>
internal static partial class FuseboxAdminLog
{
    [LoggerMessage(EventId = 1101, EventName = "ManualControl", Level = LogLevel.Warning,
        Message = "Manual {Action} of circuit breaker '{Breaker}' by {User}")]
    public static partial void ManualControl(ILogger logger, string action, string breaker, string user);

    [LoggerMessage(EventId = 1102, EventName = "ManualControlRefused", Level = LogLevel.Information,
        Message = "Manual {Action} of circuit breaker '{Breaker}' by {User} refused: no control policy is configured")]
    public static partial void ManualControlRefused(ILogger logger, string action, string breaker, string user);
}
