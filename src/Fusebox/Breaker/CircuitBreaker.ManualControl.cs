namespace Fusebox;

// Manual control: an operator's Isolate, Disable and Reset. They are forced transitions (no trip policy involved);
// ManualControl tells observers of every command, including one that found the breaker already in the requested
// state, so that a coordinator sharing the breaker can still apply the operator's intent to the other processes.
public sealed partial class CircuitBreaker
{
    /// <summary>
    /// Raised after every <see cref="Isolate"/>, <see cref="Disable"/> and <see cref="Reset"/>, on the caller's thread,
    /// whether or not the command changed the state (a change also raises <see cref="StateChanged"/> first).
    /// A handler that throws is ignored.
    /// </summary>
    public event EventHandler<ManualControlEventArgs>? ManualControl;

    /// <summary>Holds the breaker open until <see cref="Reset"/>: every call is rejected.</summary>
    /// <param name="reason">Who or why, for the event and the snapshot.</param>
    public void Isolate(string? reason = null) => Command(BreakerState.Isolated, TransitionReason.ManualIsolate, reason);

    /// <summary>Holds the breaker closed until <see cref="Reset"/>: every call flows and is measured, but it never trips.</summary>
    /// <param name="reason">Who or why, for the event and the snapshot.</param>
    public void Disable(string? reason = null) => Command(BreakerState.Disabled, TransitionReason.ManualDisable, reason);

    /// <summary>Closes the breaker and clears the trip policy's window and the break-duration backoff.</summary>
    /// <param name="reason">Who or why, for the event and the snapshot.</param>
    public void Reset(string? reason = null) => Command(BreakerState.Closed, TransitionReason.ManualReset, reason);

    private void Command(BreakerState target, TransitionReason command, string? reason)
    {
        bool changed = ForceState(target, command, reason);
        if (ManualControl is { } handlers)
        {
            RaiseEach(handlers, new ManualControlEventArgs(Name, target, command, reason, changed));
        }
    }

    /// <summary>Calls every handler, each shielded from the others: an observer's bug must not break the breaker or
    /// starve the other observers.</summary>
    private void RaiseEach<TArgs>(EventHandler<TArgs> handlers, TArgs args)
    {
        foreach (var handler in handlers.GetInvocationList())
        {
            try
            {
                ((EventHandler<TArgs>)handler)(this, args);
            }
#pragma warning disable CA1031 // see above
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }
}
