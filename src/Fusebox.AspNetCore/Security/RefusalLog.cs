using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fusebox.AspNetCore;

/// <summary>
/// Logs refused requests at most once per <see cref="Interval"/> and <see cref="RefusalKind"/>, with the number of
/// refusals of that kind left out since the last line. Refusals are what anonymous callers can cause at will; one
/// line each would let them flood the logs (and bury the line that matters), so a burst costs one line per kind per
/// interval however fast it comes. A lock, not a lock-free counter: this is the refusal path, never a breaker's call path.
/// </summary>
internal sealed class RefusalLog(ILogger logger, TimeProvider timeProvider)
{
    /// <summary>The least time between two log lines of one kind.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private const int MaxLoggedValueLength = 100;

    private readonly Lock _gate = new();
    private readonly long?[] _lastLoggedAt = new long?[Enum.GetValues<RefusalKind>().Length];
    private readonly int[] _notLogged = new int[Enum.GetValues<RefusalKind>().Length];

    /// <summary>Records a refusal; logs it unless a refusal of the same kind was logged less than <see cref="Interval"/> ago.</summary>
    public void Refused(RefusalKind kind, HttpContext context, string detail)
    {
        int notLogged;
        lock (_gate)
        {
            long now = timeProvider.GetTimestamp();
            if (_lastLoggedAt[(int)kind] is { } last && timeProvider.GetElapsedTime(last, now) < Interval)
            {
                _notLogged[(int)kind]++;
                return;
            }

            _lastLoggedAt[(int)kind] = now;
            notLogged = _notLogged[(int)kind];
            _notLogged[(int)kind] = 0;
        }

        FuseboxAdminLog.RequestRefused(logger, KindText(kind), context.Request.Method, Trim(context.Request.Path.Value ?? ""),
            FuseboxAdminLog.UserOf(context), detail, notLogged, Interval.TotalSeconds);
    }

    /// <summary>A caller-supplied value (header, path) cut to a length fit for a log line.</summary>
    public static string Trim(string value) => value.Length <= MaxLoggedValueLength ? value : string.Concat(value.AsSpan(0, MaxLoggedValueLength), "…");

    private static string KindText(RefusalKind kind) => kind switch
    {
        RefusalKind.CrossSite => "cross-site request",
        RefusalKind.Unauthenticated => "unauthenticated request",
        RefusalKind.Forbidden => "forbidden request",
        RefusalKind.ControlDisabled => "manual control (no control policy)",
        _ => "event-stream connection over the limit",
    };
}
