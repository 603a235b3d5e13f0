namespace Fusebox;

/// <summary>Describes one manual command (<see cref="CircuitBreaker.Isolate"/>, <see cref="CircuitBreaker.Disable"/>,
/// <see cref="CircuitBreaker.Reset"/>) on a breaker, whether or not it changed the state.</summary>
public sealed class ManualControlEventArgs : EventArgs
{
    internal ManualControlEventArgs(string breakerName, BreakerState target, TransitionReason command, string? description, bool stateChanged)
    {
        BreakerName = breakerName;
        Target = target;
        Command = command;
        Description = description;
        StateChanged = stateChanged;
    }

    /// <summary>The breaker's name.</summary>
    public string BreakerName { get; }

    /// <summary>The state the command asked for.</summary>
    public BreakerState Target { get; }

    /// <summary><see cref="TransitionReason.ManualIsolate"/>, <see cref="TransitionReason.ManualDisable"/> or <see cref="TransitionReason.ManualReset"/>.</summary>
    public TransitionReason Command { get; }

    /// <summary>Who or why, as given to the command.</summary>
    public string? Description { get; }

    /// <summary>True when the command changed the state (a <see cref="CircuitBreaker.StateChanged"/> event was raised
    /// too); false when the breaker was already in <see cref="Target"/> (a reset still cleared the window).</summary>
    public bool StateChanged { get; }
}
