namespace Fusebox.Replay;

/// <summary>How one recorded call ended, as the recording breaker saw it. The trace's <c>outcome</c> field.</summary>
public enum TraceOutcome
{
    /// <summary><c>success</c>: the dependency answered. Slow or not is decided by its duration, per configuration.</summary>
    Success,

    /// <summary><c>failure</c>: the call failed (an exception or a result the breaker counts as failed).</summary>
    Failure,

    /// <summary><c>timeout</c>: the call was abandoned at a timeout; a breaker counts it as a failure.</summary>
    Timeout,

    /// <summary>
    /// <c>rejected</c>: the recording breaker rejected the call, so it never ran and its real outcome is unknown. A
    /// replayed configuration that rejects it too counts it among its rejections; one that would have admitted it
    /// counts it as <see cref="ConfigurationResult.UnknownAdmitted"/> and reports nothing to the breaker for it (the
    /// permit is released), since inventing an outcome would bias the replay either way.
    /// </summary>
    Rejected,
}
