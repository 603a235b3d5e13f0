namespace Fusebox;

/// <summary>Describes one state change of a <see cref="CircuitBreaker"/>.</summary>
public sealed class BreakerStateChangedEventArgs : EventArgs
{
    internal BreakerStateChangedEventArgs(string breakerName, BreakerState oldState, BreakerState newState,
        TransitionReason reason, string? description, DateTimeOffset timestamp, long generation)
    {
        BreakerName = breakerName;
        OldState = oldState;
        NewState = newState;
        Reason = reason;
        Description = description;
        Timestamp = timestamp;
        Generation = generation;
    }

    /// <summary>The name of the breaker that changed.</summary>
    public string BreakerName { get; }

    /// <summary>The state before the change.</summary>
    public BreakerState OldState { get; }

    /// <summary>The state after the change.</summary>
    public BreakerState NewState { get; }

    /// <summary>Why it changed.</summary>
    public TransitionReason Reason { get; }

    /// <summary>A human-readable explanation, e.g. <c>"5 consecutive failures"</c>; may be null.</summary>
    public string? Description { get; }

    /// <summary>When it changed, from the breaker's <see cref="TimeProvider"/>.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>The generation number of the new state.</summary>
    public long Generation { get; }

    /// <summary>True when the breaker runs in <see cref="CircuitBreakerOptions.ShadowMode"/>: the change happened in its
    /// state machine, but an open breaker of this kind rejects nothing (it "would have opened").</summary>
    public bool IsShadow { get; internal init; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{BreakerName}: {(IsShadow ? "(shadow) " : "")}{OldState} -> {NewState} ({Reason}{(Description is null ? "" : ": " + Description)}) at {Timestamp:O}";
}
