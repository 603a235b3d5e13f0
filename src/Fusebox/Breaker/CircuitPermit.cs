namespace Fusebox;

/// <summary>
/// Permission to make one call, from <see cref="CircuitBreaker.TryAcquire(out CircuitPermit)"/>. Report the
/// outcome exactly once with one of the <c>Record</c> methods (or <see cref="Release"/> when the call was abandoned).
/// The permit remembers the breaker generation it was issued in: an outcome reported after the breaker has moved on
/// is counted as ignored and cannot change its state. A probe permit that is never reported frees its slot after
/// <see cref="CircuitBreakerOptions.ProbeTimeout"/>.
/// </summary>
public readonly struct CircuitPermit
{
    internal CircuitPermit(CircuitBreaker breaker, long generation, int probeSlot, long probeToken, long startedAt)
    {
        Breaker = breaker;
        Generation = generation;
        ProbeSlot = probeSlot;
        ProbeToken = probeToken;
        StartedAt = startedAt;
    }

    /// <summary>The start time of a permit that is not timed (no slow-call threshold when it was issued).</summary>
    internal const long Untimed = long.MinValue;

    /// <summary>The breaker that issued the permit, or null for a default (invalid) permit.</summary>
    public CircuitBreaker? Breaker { get; }

    /// <summary>The generation of the breaker state the permit was issued in.</summary>
    public long Generation { get; }

    /// <summary>True when this permit is a half-open probe.</summary>
    public bool IsProbe => ProbeSlot >= 0;

    internal int ProbeSlot { get; }

    internal long ProbeToken { get; }

    internal long StartedAt { get; }

    /// <summary>Reports that the call succeeded.</summary>
    public void RecordSuccess() => Issuer.Complete(this, Completion.Success);

    /// <summary>Reports that the call failed, whatever the breaker's <see cref="CircuitBreakerOptions.ShouldHandleException"/> says.</summary>
    /// <param name="exception">The failure's exception, if any (kept for diagnostics only).</param>
    public void RecordFailure(Exception? exception = null) => Issuer.Complete(this, Completion.Failure);

    /// <summary>Reports an exception the call threw, classified by the breaker: the caller's own cancellation
    /// (<paramref name="cancellationToken"/> cancelled) is ignored, otherwise <see cref="CircuitBreakerOptions.ShouldHandleException"/> decides.</summary>
    public void RecordException(Exception exception, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var issuer = Issuer;
        issuer.Complete(this, issuer.Classify(exception, cancellationToken));
    }

    /// <summary>Reports a result, classified by <see cref="CircuitBreakerOptions.ShouldHandleResult"/>.</summary>
    public void RecordResult<TResult>(TResult result)
    {
        var issuer = Issuer;
        issuer.Complete(this, issuer.Classify(result));
    }

    /// <summary>Gives the permit back without an outcome (the call was abandoned, e.g. cancelled by the caller).
    /// Counted as ignored; a probe slot becomes free again.</summary>
    public void Release() => Issuer.Complete(this, Completion.Ignored);

    private CircuitBreaker Issuer => Breaker ?? throw new InvalidOperationException(
        "This permit was not issued by CircuitBreaker.TryAcquire (it is the default value); there is nothing to record.");
}

/// <summary>How a call ended, for the breaker's bookkeeping.</summary>
internal enum Completion : byte
{
    Success,
    Failure,
    Ignored,
}
