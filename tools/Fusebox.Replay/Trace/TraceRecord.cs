namespace Fusebox.Replay;

/// <summary>One recorded call: when it started, how it ended and how long it took.</summary>
/// <param name="At">When the call was admitted, from the start of the trace (the first record's timestamp for
/// ISO-8601 traces, zero for numeric ones).</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Duration">How long it ran: it completes at <paramref name="At"/> + <paramref name="Duration"/>.</param>
/// <param name="Line">The line of the trace file it came from (1 is the CSV header), for messages.</param>
public readonly record struct TraceRecord(TimeSpan At, TraceOutcome Outcome, TimeSpan Duration, int Line)
{
    /// <summary>When the call completed: <see cref="At"/> + <see cref="Duration"/>.</summary>
    public TimeSpan CompletedAt => At + Duration;

    /// <summary>True for <see cref="TraceOutcome.Failure"/> and <see cref="TraceOutcome.Timeout"/>: what a breaker counts as failed.</summary>
    public bool IsFailure => Outcome is TraceOutcome.Failure or TraceOutcome.Timeout;
}
