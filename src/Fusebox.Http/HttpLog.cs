using Microsoft.Extensions.Logging;

namespace Fusebox.Http;

/// <summary>The HTTP handler's own log lines (the breakers' lines are <c>FuseboxLog</c>'s).</summary>
internal static partial class HttpLog
{
    [LoggerMessage(EventId = 1020, EventName = "RegistryFull", Level = LogLevel.Warning,
        Message = "Requests to {Breaker} are rejected without being sent: {Reason} Raise Fusebox:MaxBreakers or set Fusebox:EvictAfterIdle.")]
    public static partial void RegistryFull(ILogger logger, string breaker, string reason);
}
