using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fusebox.AspNetCore;

/// <summary>Log events of the admin endpoints.</summary>
internal static partial class FuseboxAdminLog
{
    [LoggerMessage(EventId = 1101, EventName = "ManualControl", Level = LogLevel.Warning,
        Message = "Manual {Action} of circuit breaker '{Breaker}' by {User} ({Reason})")]
    public static partial void ManualControl(ILogger logger, string action, string breaker, string user, string reason);

    [LoggerMessage(EventId = 1102, EventName = "RequestRefused", Level = LogLevel.Warning,
        Message = "Refused {Kind}: {Method} {Path} by {User}: {Detail}; {NotLogged} more refusals of this kind were not logged in the {IntervalSeconds} s before")]
    public static partial void RequestRefused(ILogger logger, string kind, string method, string path, string user, string detail, int notLogged, double intervalSeconds);

    /// <summary>The user a log line names: the authenticated name, or "anonymous".</summary>
    public static string UserOf(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true ? RefusalLog.Trim(context.User.Identity.Name ?? "(unnamed user)") : "anonymous";
}
