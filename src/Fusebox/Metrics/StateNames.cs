namespace Fusebox;

/// <summary>Lower-case, allocation-free names of states, for metric tags and JSON.</summary>
public static class StateNames
{
    /// <summary>The name of <paramref name="state"/>: closed, open, half_open, isolated or disabled.</summary>
    public static string Of(CircuitState state) => state switch
    {
        CircuitState.Closed => "closed",
        CircuitState.Open => "open",
        CircuitState.HalfOpen => "half_open",
        CircuitState.Isolated => "isolated",
        CircuitState.Disabled => "disabled",
        _ => "unknown",
    };
}
