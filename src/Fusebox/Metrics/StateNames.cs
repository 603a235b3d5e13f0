namespace Fusebox;

/// <summary>Lower-case, allocation-free names of states, for metric tags and JSON.</summary>
public static class StateNames
{
    /// <summary>The name of <paramref name="state"/>: closed, open, half_open, isolated or disabled.</summary>
    public static string Of(BreakerState state) => state switch
    {
        BreakerState.Closed => "closed",
        BreakerState.Open => "open",
        BreakerState.HalfOpen => "half_open",
        BreakerState.Isolated => "isolated",
        BreakerState.Disabled => "disabled",
        _ => "unknown",
    };
}
