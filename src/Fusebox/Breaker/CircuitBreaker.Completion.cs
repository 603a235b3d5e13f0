using System.Runtime.CompilerServices;
using Fusebox.Internal;

namespace Fusebox;

// Completion: how a call ended (classification) and what its outcome does to the breaker. An outcome counts for the
// state only in the generation it was admitted in, and only into that generation's window.
public sealed partial class CircuitBreaker
{
    internal Completion Classify(Exception exception, CancellationToken cancellationToken) =>
        Classify(Volatile.Read(ref _state).Settings, exception, cancellationToken);

    internal Completion Classify(BreakerSettings settings, Exception exception, CancellationToken cancellationToken)
    {
        // The caller's own cancellation says nothing about the dependency's health.
        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            return Completion.Ignored;
        }

        if (settings.Throttle?.IsOverloadException is { } overload && IsOverload(overload, exception))
        {
            Failed(exception);
            return Completion.Overloaded;
        }

        var completion = settings.ShouldHandleException is { } handle ? HandledException(handle, exception) : Completion.Failure;
        return completion == Completion.Failure ? Failed(exception) : completion;
    }

    /// <summary>A call failed with <paramref name="exception"/> (null when the caller gave none): kept as the last
    /// failure when statistics are on, and told apart as <see cref="Completion.TimedOut"/> when it is a timeout.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal Completion Failed(Exception? exception)
    {
        _statistics?.LastFailure.Exception(exception, _clock.Now());
        return exception is not null && LastFailure.IsTimeout(exception) ? Completion.TimedOut : Completion.Failure;
    }

    /// <summary>A result counted as a failure: kept as the last failure when statistics are on.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal Completion ResultFailed<TResult>(TResult result)
    {
        _statistics?.LastFailure.Result(result, _clock.Now());
        return Completion.Failure;
    }

    internal Completion Classify<TResult>(TResult result)
    {
        var s = Volatile.Read(ref _state);
        return OverloadedResult(s.Settings, result) ? ResultOverloaded(result) : Classify(s, result);
    }

    /// <summary>Classifies a result with the predicate of <paramref name="s"/>, the record the call was admitted in (or the current one).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Completion Classify<TResult>(StateRecord s, TResult result) =>
        typeof(TResult) != typeof(VoidResult) && s.ShouldHandleResult is { } handle ? HandledResult(handle, result) : Completion.Success;

    // The predicates are user code: one that throws must neither lose the permit (a half-open slot held until
    // ProbeTimeout) nor replace the caller's own exception or result. The call counts as a failure (something went
    // wrong; a breaker that cannot tell should not report health), the fault is counted on the meter, and the
    // caller's call completes exactly as it would have.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Completion HandledException(Func<Exception, bool> handle, Exception exception)
    {
        try
        {
            return handle(exception) ? Completion.Failure : Completion.Success;
        }
#pragma warning disable CA1031 // see above: the predicate's fault is reported, never thrown in place of the caller's
        catch (Exception)
#pragma warning restore CA1031
        {
            _metrics.RecordClassificationError(Name, "exception");
            return Completion.Failure;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Completion HandledResult<TResult>(ResultPredicate handle, TResult result)
    {
        try
        {
            return handle.ShouldHandle(result) ? ResultFailed(result) : Completion.Success;
        }
#pragma warning disable CA1031 // as in HandledException
        catch (Exception)
#pragma warning restore CA1031
        {
            return ResultClassificationFault();
        }
    }

    /// <summary>An asynchronous result clause is configured now: the async call styles await the classification.</summary>
    internal bool ClassifiesResultsAsynchronously => Volatile.Read(ref _state).ShouldHandleResult is { IsAsynchronous: true };

    /// <summary>Classifies a result with the settings in force now, awaiting asynchronous clauses (given the call's token).</summary>
    internal ValueTask<Completion> ClassifyAsync<TResult>(TResult result, CancellationToken cancellationToken)
    {
        var s = Volatile.Read(ref _state);
        var handle = s.ShouldHandleResult;
        if (OverloadedResult(s.Settings, result))
        {
            return new ValueTask<Completion>(ResultOverloaded(result));
        }

        if (typeof(TResult) == typeof(VoidResult) || handle is null)
        {
            return new ValueTask<Completion>(Completion.Success);
        }

        return handle.IsAsynchronous ? HandledResultAsync(handle, result, cancellationToken) : new ValueTask<Completion>(HandledResult(handle, result));
    }

    private async ValueTask<Completion> HandledResultAsync<TResult>(ResultPredicate handle, TResult result, CancellationToken cancellationToken)
    {
        try
        {
            return await handle.ShouldHandleAsync(result, cancellationToken).ConfigureAwait(false) ? ResultFailed(result) : Completion.Success;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Completion.Ignored; // the caller gave up while the clause ran: nothing was learnt about the dependency
        }
#pragma warning disable CA1031 // as in HandledException
        catch (Exception)
#pragma warning restore CA1031
        {
            return ResultClassificationFault();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Complete(in CircuitPermit permit, Completion completion)
    {
        // Nearly every call ends here: a measured outcome of an ordinary permit in its own generation, with no
        // slow-call threshold to time. Kept this small so it inlines into the call styles; the rest is CompleteSlow.
        var s = Volatile.Read(ref _state);
        if (ReferenceEquals(permit.Breaker, this) && completion != Completion.Ignored && s.Generation == permit.Generation
            && permit.ProbeSlot == CircuitPermit.OrdinarySlot && s.SlowThresholdTicks == 0)
        {
            RecordMeasured(s, completion, slow: false, Elapsed(permit.StartedAt));
            return;
        }

        CompleteSlow(permit, completion, s);
    }

    /// <summary>Records the result of a call admitted in closed state <paramref name="issuedIn"/> without a permit:
    /// measured when the breaker is still in that record, otherwise handled exactly as a late permit. Like a permit's
    /// report, it is classified by the settings in force when it completes (the record read here), so every call
    /// style classifies a call that spans a Reconfigure the same way.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CompleteClosed<TResult>(StateRecord issuedIn, TResult result, long startedAt)
    {
        var s = Volatile.Read(ref _state);
        CompleteClosed(issuedIn, s, Classify(s, result), startedAt);
    }

    /// <summary>
    /// Classifies a result with the settings of <paramref name="current"/>, letting a throwing predicate's exception
    /// out. Only for ExecuteAsync's closed fast path, whose body already has a catch to put it in: there the guard costs
    /// nothing, where <see cref="HandledResult"/>'s own try/catch costs a call (about 2.5 ns, measured) on every call of
    /// a breaker with a result predicate.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Completion ClassifyUnguarded<TResult>(StateRecord current, TResult result) =>
        typeof(TResult) != typeof(VoidResult) && current.ShouldHandleResult is { } handle && handle.ShouldHandle(result) ? ResultFailed(result) : Completion.Success;

    /// <summary>A result predicate threw: counted on the meter, and the call is a failure (as in <see cref="HandledResult"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal Completion ResultClassificationFault()
    {
        _metrics.RecordClassificationError(Name, "result");
        return Completion.Failure;
    }

    /// <summary>Records a classified outcome of a call admitted in <paramref name="issuedIn"/>, given the record read
    /// for its classification.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CompleteClosed(StateRecord issuedIn, StateRecord current, Completion completion, long startedAt)
    {
        if (ReferenceEquals(current, issuedIn) && completion != Completion.Ignored)
        {
            RecordMeasured(current, completion, slow: false, Elapsed(startedAt));
            return;
        }

        CompleteClosedSlow(issuedIn, completion, current, startedAt);
    }

    /// <summary>Records the exception of a call admitted in closed state <paramref name="issuedIn"/> without a permit.</summary>
    internal void CompleteClosed(StateRecord issuedIn, Exception exception, CancellationToken cancellationToken, long startedAt)
    {
        var s = Volatile.Read(ref _state);
        CompleteClosed(issuedIn, s, Classify(s.Settings, exception, cancellationToken), startedAt);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CompleteClosedSlow(StateRecord issuedIn, Completion completion, StateRecord s, long startedAt) =>
        CompleteSlow(new CircuitPermit(this, issuedIn.Generation, -1, 0, startedAt), completion, s);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CompleteSlow(in CircuitPermit permit, Completion completion, StateRecord s)
    {
        if (!ReferenceEquals(permit.Breaker, this))
        {
            throw new ArgumentException("The permit was issued by another breaker.", nameof(permit));
        }

        if (permit.ProbeSlot < CircuitPermit.OrdinarySlot && CompleteUnmeasured(permit, completion, s))
        {
            return;
        }

        if (completion == Completion.Ignored || s.Generation != permit.Generation)
        {
            // A release frees its probe slot; a late outcome must not touch the current state at all.
            if (completion == Completion.Ignored && permit.IsProbe && s.Generation == permit.Generation)
            {
                s.Probes!.TryRelease(permit.ProbeSlot, permit.ProbeToken);
            }

            CountIgnored();
            return;
        }

        // A permit issued before a slow-call threshold was configured was never timed (elapsed -1): it is not slow.
        long elapsed = Elapsed(permit.StartedAt);
        bool slow = s.SlowThresholdTicks != 0 && elapsed >= s.SlowThresholdTicks;

        if (!permit.IsProbe)
        {
            RecordMeasured(s, completion, slow, elapsed);
            return;
        }

        if (!s.Probes!.TryComplete(permit.ProbeSlot, permit.ProbeToken))
        {
            CountIgnored(); // the probe outlived ProbeTimeout and its slot went to another probe
            return;
        }

        CountCompleted(completion, slow, elapsed);
        if (completion >= Completion.Failure)
        {
            Decide(s, VerdictKind.Reopen);
        }
        else if (s.Probes.AddSuccess() >= s.Probes.SuccessesToClose)
        {
            Decide(s, VerdictKind.Close);
        }
    }

    /// <summary>Counts an outcome of an ordinary (not probe) permit and lets the trip policy judge it.</summary>
    /// <param name="s">The record the call was admitted in (same generation): its window is the only one it may reach.</param>
    /// <param name="completion">Success, failure or timeout.</param>
    /// <param name="slow">The call was slower than the slow-call threshold.</param>
    /// <param name="elapsed">The call's duration in ticks; -1 when it was not timed.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void RecordMeasured(StateRecord s, Completion completion, bool slow, long elapsed)
    {
        bool failure = completion >= Completion.Failure;
        // Into the window of the record read and checked above, never the current one: if the breaker moved on in
        // between, this outcome lands in a window no state uses any more, so it can neither trip nor pollute the
        // window of a later generation. The meter first: a windowed meter's interlocked operation waits for earlier
        // stores to drain, so the counter's store is better made after it than before.
        var decision = s.Meter.Record(failure, slow, s.MeterNeedsClock ? _clock.Now() : 0);
        CountCompleted(completion, slow, elapsed);
        if (decision != TripDecision.None && s.State == BreakerState.Closed)
        {
            Trip(s, decision);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CountCompleted(Completion completion, bool slow, long elapsed)
    {
        bool failure = completion >= Completion.Failure;
        _counters.Increment(failure ? CallCounter.Failure : CallCounter.Success);
        _metrics.RecordCall(Name, failure ? "failure" : "success");
        if (slow)
        {
            _counters.Increment(CallCounter.Slow);
            _metrics.RecordSlowCall(Name);
        }

        if (elapsed >= 0 || _statistics is not null)
        {
            Observe(completion, slow, elapsed);
        }
    }

    /// <summary>Feeds a completed call to the statistics and, when it was timed, the duration histogram.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Observe(Completion completion, bool slow, long elapsed)
    {
        var outcome = completion switch
        {
            Completion.TimedOut => SliceCounter.Timeout,
            Completion.Failure or Completion.Overloaded => SliceCounter.Failure,
            _ => SliceCounter.Success,
        };
        _statistics?.Completed(outcome, slow, elapsed);
        if (elapsed >= 0 && _metrics.DurationObserved)
        {
            _metrics.RecordDuration(Name, outcome switch
            {
                SliceCounter.Timeout => "timeout",
                SliceCounter.Failure => "failure",
                _ => "success",
            }, elapsed);
        }
    }

    /// <summary>A call's duration from its start time; -1 for a call that was not timed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long Elapsed(long startedAt) => startedAt == CircuitPermit.Untimed ? -1 : Math.Max(0, _clock.NowPrecise() - startedAt);

    private void CountIgnored()
    {
        _counters.Increment(CallCounter.Ignored);
        _metrics.RecordCall(Name, "ignored");
        _statistics?.Ignored();
    }
}
