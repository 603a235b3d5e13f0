using System.Globalization;
using Grpc.Core;

namespace Fusebox.Grpc;

/// <summary>
/// The <see cref="RpcException"/> a call gets when its breaker rejects it, without sending anything: status
/// <see cref="StatusCode.Unavailable"/> (so existing retry and fallback code treats it as the outage it is), detail
/// <c>Circuit breaker '{name}' is {state}; the call was not sent.</c>, and these trailers:
/// <list type="bullet">
/// <item><c>fusebox-breaker</c> (<see cref="BreakerTrailer"/>): the breaker's name;</item>
/// <item><c>fusebox-state</c> (<see cref="StateTrailer"/>): <c>open</c>, <c>half_open</c> (no probe slot free) or <c>isolated</c> (the names of <see cref="StateNames"/>);</item>
/// <item><c>fusebox-retry-after-ms</c> (<see cref="RetryAfterTrailer"/>): whole milliseconds until the breaker lets a
/// call through again, rounded up; absent when unknown (isolated).</item>
/// </list>
/// </summary>
public static class FuseboxGrpcRejection
{
    /// <summary>Trailer key naming the breaker that rejected the call.</summary>
    public const string BreakerTrailer = "fusebox-breaker";

    /// <summary>Trailer key giving the breaker's state when it rejected the call.</summary>
    public const string StateTrailer = "fusebox-state";

    /// <summary>Trailer key giving the retry-after, in whole milliseconds (rounded up).</summary>
    public const string RetryAfterTrailer = "fusebox-retry-after-ms";

    /// <summary>True when <paramref name="exception"/> is a Fusebox rejection (nothing was sent); gives the breaker's
    /// name and the retry-after, if known.</summary>
    public static bool IsRejection(RpcException exception, out string breakerName, out TimeSpan? retryAfter)
    {
        ArgumentNullException.ThrowIfNull(exception);
        breakerName = exception.Trailers.GetValue(BreakerTrailer) ?? string.Empty;
        retryAfter = long.TryParse(exception.Trailers.GetValue(RetryAfterTrailer), NumberStyles.None, CultureInfo.InvariantCulture, out long ms)
            ? TimeSpan.FromMilliseconds(ms)
            : null;
        return exception.StatusCode == StatusCode.Unavailable && breakerName.Length != 0;
    }

    internal static RpcException Create(CircuitBreaker breaker, BreakerState state, TimeSpan? retryAfter)
    {
        string stateName = StateNames.Of(state);
        var trailers = new Metadata
        {
            { BreakerTrailer, breaker.Name },
            { StateTrailer, stateName },
        };
        if (retryAfter is { } wait)
        {
            long ms = (long)Math.Ceiling(Math.Max(0, wait.TotalMilliseconds));
            trailers.Add(RetryAfterTrailer, ms.ToString(CultureInfo.InvariantCulture));
        }

        return new RpcException(new Status(StatusCode.Unavailable, $"Circuit breaker '{breaker.Name}' is {stateName}; the call was not sent."), trailers);
    }
}
