namespace Fusebox.Replay;

/// <summary>What one configuration would have done with the trace.</summary>
public sealed record ConfigurationResult
{
    /// <summary>The configuration's name.</summary>
    public required string Name { get; init; }

    /// <summary>The open and half-open spans, in time order.</summary>
    public required IReadOnlyList<BreakerInterval> Intervals { get; init; }

    /// <summary>Calls the breaker rejected.</summary>
    public required int Rejected { get; init; }

    /// <summary>Failures and timeouts the breaker admitted (in closed or half-open state): the harm it let through.</summary>
    public required int FailuresLetThrough { get; init; }

    /// <summary>Failures and timeouts it rejected: the harm it spared the dependency and the callers.</summary>
    public required int FailuresRejected { get; init; }

    /// <summary>Successes it rejected: the cost of tripping when the dependency was answering.</summary>
    public required int SuccessesRejected { get; init; }

    /// <summary>Calls the recording breaker rejected that this one would have admitted; their outcome is unknown, so
    /// nothing was reported for them (see <see cref="TraceOutcome.Rejected"/>).</summary>
    public required int UnknownAdmitted { get; init; }

    /// <summary>Calls admitted whose duration reached <see cref="CircuitBreakerOptions.SlowCallThreshold"/> (0 without one).</summary>
    public required int SlowCalls { get; init; }

    /// <summary>State changes, as <see cref="CircuitBreaker.StateChanged"/> reported them.</summary>
    public required int StateChanges { get; init; }

    /// <summary>Each state change: when, to which state, why.</summary>
    public required IReadOnlyList<(TimeSpan At, BreakerState State, TransitionReason Reason)> Transitions { get; init; }

    /// <summary>Records whose admission this configuration decided as the recording breaker did: rejected when the trace
    /// says <c>rejected</c>, admitted otherwise. Replaying the recording's own configuration should match every record
    /// (up to the trace's time resolution); a lower figure shows how far another configuration departs from it.</summary>
    public required int MatchesRecording { get; init; }

    /// <summary>When the first rejected call was admitted to the breaker (its trace timestamp), or null.</summary>
    public required TimeSpan? FirstRejectedAt { get; init; }

    /// <summary>The open spans only.</summary>
    public IEnumerable<BreakerInterval> OpenIntervals => Intervals.Where(i => i.State == BreakerState.Open);

    /// <summary>How many times the breaker opened (trips and re-opens after a failed probe).</summary>
    public int TimesOpened => OpenIntervals.Count();

    /// <summary>When it first opened, or null if it never did.</summary>
    public TimeSpan? FirstOpenAt => OpenIntervals.Select(i => (TimeSpan?)i.Start).FirstOrDefault();

    /// <summary>Total time open (rejecting within a break).</summary>
    public TimeSpan TimeOpen => TimeSpan.FromTicks(OpenIntervals.Sum(i => i.Length.Ticks));
}
