using Fusebox.Internal;

namespace Fusebox;

/// <summary>
/// Permission to make one call, from <see cref="CircuitBreaker.TryAcquire(out CircuitPermit)"/>. Report the
/// outcome exactly once with one of the <c>Record</c> methods (or <see cref="Release"/> when the call was abandoned);
/// a second report, through this value or any copy of it, throws <see cref="InvalidOperationException"/> and counts
/// nothing. <see cref="Dispose"/> releases a permit that was not reported, so <c>using var permit = …</c> never leaks
/// one (a half-open probe slot, say) on an unexpected exception, and does nothing after a report.
/// The permit remembers the breaker generation it was issued in: an outcome reported after the breaker has moved on
/// is counted as ignored and cannot change its state. A probe permit that is never reported frees its slot after
/// <see cref="CircuitBreakerOptions.ProbeTimeout"/>.
/// </summary>
public readonly struct CircuitPermit : IDisposable
{
    private readonly PermitTicket? _ticket;
    private readonly long _ticketSequence;

    internal CircuitPermit(CircuitBreaker breaker, long generation, int probeSlot, long probeToken, long startedAt)
    {
        Breaker = breaker;
        Generation = generation;
        ProbeSlot = probeSlot;
        ProbeToken = probeToken;
        StartedAt = startedAt;
    }

    private CircuitPermit(in CircuitPermit untracked, PermitTicket ticket, long sequence)
        : this(untracked.Breaker!, untracked.Generation, untracked.ProbeSlot, untracked.ProbeToken, untracked.StartedAt)
    {
        _ticket = ticket;
        _ticketSequence = sequence;
    }

    /// <summary>The start time of a permit that is not timed (no slow-call threshold when it was issued).</summary>
    internal const long Untimed = long.MinValue;

    /// <summary><see cref="ProbeSlot"/> of an ordinary permit (closed or disabled state): the fast completion path's.</summary>
    internal const int OrdinarySlot = -1;

    /// <summary><see cref="ProbeSlot"/> of a call admitted only because of shadow mode: counted, never measured by the
    /// state machine (it would have been rejected). Its generation is <see cref="ShadowGeneration"/>, which no state has.</summary>
    internal const int ShadowSlot = -2;

    /// <summary><see cref="ProbeSlot"/> of a closed-state call counted as a request by adaptive throttling, whose outcome
    /// the throttling window needs too (kept off the fast completion path).</summary>
    internal const int ThrottledSlot = -3;

    /// <summary>The generation of shadow permits: generations start at 0 and only grow.</summary>
    internal const long ShadowGeneration = -1;

    /// <summary>The breaker that issued the permit, or null for a default (invalid) permit.</summary>
    public CircuitBreaker? Breaker { get; }

    /// <summary>The generation of the breaker state the permit was issued in.</summary>
    public long Generation { get; }

    /// <summary>True when this permit is a half-open probe.</summary>
    public bool IsProbe => ProbeSlot >= 0;

    internal int ProbeSlot { get; }

    /// <summary>A probe's slot token; for a throttled permit, the time its request was counted at.</summary>
    internal long ProbeToken { get; }

    internal long StartedAt { get; }

    /// <summary>Reports that the call succeeded.</summary>
    /// <exception cref="InvalidOperationException">The permit was already reported, or is the default value.</exception>
    public void RecordSuccess() => Reporter().Complete(this, Completion.Success);

    /// <summary>Reports that the call failed, whatever the breaker's <see cref="CircuitBreakerOptions.ShouldHandleException"/> says.</summary>
    /// <param name="exception">The failure's exception, if any (kept for diagnostics only).</param>
    /// <exception cref="InvalidOperationException">The permit was already reported, or is the default value.</exception>
    public void RecordFailure(Exception? exception = null)
    {
        var issuer = Reporter();
        issuer.Complete(this, issuer.Failed(exception));
    }

    /// <summary>Reports that the call failed with this result, whatever the breaker's
    /// <see cref="CircuitBreakerOptions.ShouldHandleResult"/> says: for callers that classify results themselves (the
    /// HTTP handler's <c>ShouldHandleResponse</c>). The result is kept for diagnostics only (with statistics on, the
    /// dashboard's last failure, e.g. "HTTP 503"); a value-type result is not boxed.</summary>
    /// <param name="result">The call's result.</param>
    /// <exception cref="InvalidOperationException">The permit was already reported, or is the default value.</exception>
    public void RecordFailedResult<TResult>(TResult result)
    {
        var issuer = Reporter();
        issuer.Complete(this, issuer.ResultFailed(result));
    }

    /// <summary>Reports that the dependency refused the call because it is overloaded (an HTTP 429 or 503, a gRPC
    /// ResourceExhausted): a failure, and a call not accepted for <see cref="CircuitBreakerOptions.AdaptiveThrottling"/>
    /// whatever its <see cref="AdaptiveThrottlingOptions.NotAccepted"/> says.</summary>
    /// <param name="exception">The exception, if any (kept for diagnostics only).</param>
    /// <exception cref="InvalidOperationException">The permit was already reported, or is the default value.</exception>
    public void RecordOverload(Exception? exception = null)
    {
        var issuer = Reporter();
        issuer.Failed(exception);
        issuer.Complete(this, Completion.Overloaded);
    }

    /// <summary>Reports that the dependency refused the call for overload with this result (e.g. an HTTP 429
    /// response), as <see cref="RecordOverload"/>; the result is kept for diagnostics only, as by <see cref="RecordFailedResult"/>.</summary>
    /// <param name="result">The call's result.</param>
    /// <exception cref="InvalidOperationException">The permit was already reported, or is the default value.</exception>
    public void RecordOverloadedResult<TResult>(TResult result)
    {
        var issuer = Reporter();
        issuer.ResultFailed(result);
        issuer.Complete(this, Completion.Overloaded);
    }

    /// <summary>Reports an exception the call threw, classified by the breaker: the caller's own cancellation
    /// (<paramref name="cancellationToken"/> cancelled) is ignored, otherwise <see cref="CircuitBreakerOptions.ShouldHandleException"/> decides.</summary>
    /// <exception cref="InvalidOperationException">The permit was already reported, or is the default value.</exception>
    public void RecordException(Exception exception, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var issuer = Reporter();
        issuer.Complete(this, issuer.Classify(exception, cancellationToken));
    }

    /// <summary>Reports a result, classified by <see cref="CircuitBreakerOptions.ShouldHandleResult"/> (an asynchronous
    /// clause is waited for on this thread: use <see cref="RecordResultAsync"/> with one).</summary>
    /// <exception cref="InvalidOperationException">The permit was already reported, or is the default value.</exception>
    public void RecordResult<TResult>(TResult result)
    {
        var issuer = Reporter();
        issuer.Complete(this, issuer.Classify(result));
    }

    /// <summary>Reports a result, classified by <see cref="CircuitBreakerOptions.ShouldHandleResult"/>, awaiting its
    /// asynchronous clauses. The permit counts as reported from the moment of the call: a second report is rejected
    /// even while the classification runs.</summary>
    /// <param name="result">The call's result.</param>
    /// <param name="cancellationToken">Passed to the asynchronous clauses; when it is cancelled while they run, the
    /// outcome is ignored (as the caller's own cancellation of the call would be).</param>
    /// <exception cref="InvalidOperationException">The permit was already reported, or is the default value.</exception>
    public ValueTask RecordResultAsync<TResult>(TResult result, CancellationToken cancellationToken = default)
    {
        var issuer = Reporter();
        var classifying = issuer.ClassifyAsync(result, cancellationToken);
        if (classifying.IsCompletedSuccessfully)
        {
            issuer.Complete(this, classifying.Result);
            return ValueTask.CompletedTask;
        }

        return CompleteWhenClassifiedAsync(issuer, this, classifying);
    }

    private static async ValueTask CompleteWhenClassifiedAsync(CircuitBreaker issuer, CircuitPermit permit, ValueTask<Completion> classifying) =>
        issuer.Complete(permit, await classifying.ConfigureAwait(false));

    /// <summary>Gives the permit back without an outcome (the call was abandoned, e.g. cancelled by the caller).
    /// Counted as ignored; a probe slot becomes free again.</summary>
    /// <exception cref="InvalidOperationException">The permit was already reported, or is the default value.</exception>
    public void Release() => Reporter().Complete(this, Completion.Ignored);

    /// <summary>Releases the permit (as <see cref="Release"/>) unless it was already reported; then, and for the
    /// default value, it does nothing. Never throws.</summary>
    public void Dispose()
    {
        if (Breaker is { } issuer && _ticket is { } ticket && ticket.TryClose(_ticketSequence))
        {
            issuer.Complete(this, Completion.Ignored);
        }
    }

    /// <summary>This permit with a ticket, for permits handed to callers (the library's own call styles report
    /// theirs exactly once by construction and skip the ticket's cost).</summary>
    internal CircuitPermit Tracked()
    {
        var ticket = PermitTicket.Issue(out long sequence);
        return new CircuitPermit(this, ticket, sequence);
    }

    /// <summary>The issuer, once this report is known to be the permit's first.</summary>
    private CircuitBreaker Reporter()
    {
        var issuer = Breaker ?? throw new InvalidOperationException(
            "This permit was not issued by CircuitBreaker.TryAcquire (it is the default value); there is nothing to record.");
        if (_ticket is { } ticket && !ticket.TryClose(_ticketSequence))
        {
            throw new InvalidOperationException(
                $"This permit of breaker '{issuer.Name}' was already reported; a permit takes exactly one outcome (nothing was counted).");
        }

        return issuer;
    }
}

/// <summary>How a call ended, for the breaker's bookkeeping. The failures come last: a failure is <c>&gt;= Failure</c>.</summary>
internal enum Completion : byte
{
    Success,
    Ignored,
    Failure,

    /// <summary>A failure that was a timeout (counted as a failure everywhere; told apart by statistics and the duration histogram).</summary>
    TimedOut,

    /// <summary>A failure that was the dependency refusing the call for overload (HTTP 429/503, gRPC ResourceExhausted):
    /// a failure everywhere, and "not accepted" for adaptive throttling whatever its <see cref="ThrottlingSignal"/>.</summary>
    Overloaded,
}
