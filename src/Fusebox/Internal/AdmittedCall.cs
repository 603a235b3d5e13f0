using System.Runtime.CompilerServices;

namespace Fusebox.Internal;

/// <summary>
/// Where a call style reports the outcome of a call the breaker admitted. The call styles are generic over it (a
/// struct, so each gets its own specialised code with no interface dispatch): one body serves both admissions.
/// </summary>
internal interface IAdmittedCall
{
    /// <summary>True when the result must be classified with <see cref="RecordResultAsync"/> (an asynchronous result
    /// clause is configured). A constant false for a <see cref="ClosedCall"/>, which the JIT folds away.</summary>
    bool ClassifiesAsynchronously { get; }

    void RecordResult<TResult>(TResult result);

    ValueTask RecordResultAsync<TResult>(TResult result, CancellationToken cancellationToken);

    void RecordException(Exception exception, CancellationToken cancellationToken);
}

/// <summary>
/// A call admitted by a closed breaker without a permit: the state record it was admitted in plays the permit's
/// generation (a record is replaced on every transition, so "still the same record" is "still the same generation").
/// Why: no permit struct to build, pass by reference and keep on the stack, which was a large part of a closed call.
/// Only used when no slow-call threshold is set; the start time is <see cref="CircuitPermit.Untimed"/> unless the call is
/// timed for statistics or the duration histogram.
/// </summary>
internal readonly struct ClosedCall(CircuitBreaker breaker, StateRecord admittedIn, long startedAt) : IAdmittedCall
{
    // A closed call is admitted only while no asynchronous clause is configured (StateRecord.IsPlainClosed). If a
    // Reconfigure adds one while the call runs, RecordResult waits for it on this thread: rare, and still correct.
    public bool ClassifiesAsynchronously => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void RecordResult<TResult>(TResult result) => breaker.CompleteClosed(admittedIn, result, startedAt);

    public ValueTask RecordResultAsync<TResult>(TResult result, CancellationToken cancellationToken)
    {
        RecordResult(result);
        return ValueTask.CompletedTask;
    }

    // Out of line: a throwing operation is the rare case, and its bookkeeping would bloat every call's frame.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void RecordException(Exception exception, CancellationToken cancellationToken) =>
        breaker.CompleteClosed(admittedIn, exception, cancellationToken, startedAt);

    /// <summary>Records a synchronous throw and returns it as a faulted task (the async styles' catch, out of line).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public ValueTask<TResult> Thrown<TResult>(Exception exception, CancellationToken cancellationToken)
    {
        RecordException(exception, cancellationToken);
        return ValueTask.FromException<TResult>(exception);
    }
}

/// <summary>A call admitted with a permit from <see cref="CircuitBreaker.TryAcquire(out CircuitPermit)"/>'s core: every state but plain closed.</summary>
internal readonly struct PermitCall(CircuitPermit permit) : IAdmittedCall
{
    public bool ClassifiesAsynchronously => permit.Breaker!.ClassifiesResultsAsynchronously;

    public void RecordResult<TResult>(TResult result) => permit.RecordResult(result);

    public ValueTask RecordResultAsync<TResult>(TResult result, CancellationToken cancellationToken) => permit.RecordResultAsync(result, cancellationToken);

    public void RecordException(Exception exception, CancellationToken cancellationToken) => permit.RecordException(exception, cancellationToken);
}
