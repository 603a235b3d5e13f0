namespace Fusebox;

/// <summary>Why a breaker rejected a call; derived from the state it rejected the call in.</summary>
public enum RejectionReason
{
    /// <summary>The breaker is open, within its break.</summary>
    Open = 0,

    /// <summary>The breaker is half-open and every probe slot is taken.</summary>
    ProbesBusy,

    /// <summary>An operator isolated the breaker.</summary>
    Isolated,

    /// <summary>The breaker is closed and adaptive throttling rejected the call (<see cref="CircuitBreakerOptions.AdaptiveThrottling"/>).</summary>
    Throttled,
}

/// <summary>Maps the state a call was rejected in to its reason.</summary>
internal static class RejectionReasons
{
    public static RejectionReason Of(BreakerState rejectedIn) => rejectedIn switch
    {
        BreakerState.Closed => RejectionReason.Throttled,
        BreakerState.HalfOpen => RejectionReason.ProbesBusy,
        BreakerState.Isolated => RejectionReason.Isolated,
        _ => RejectionReason.Open,
    };

    /// <summary>The metric tag value.</summary>
    public static string Name(RejectionReason reason) => reason switch
    {
        RejectionReason.Throttled => "throttled",
        RejectionReason.ProbesBusy => "probes_busy",
        RejectionReason.Isolated => "isolated",
        _ => "open",
    };
}
