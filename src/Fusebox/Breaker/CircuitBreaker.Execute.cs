using System.Runtime.CompilerServices;
using Fusebox.Internal;

namespace Fusebox;

// The three call styles. Every overload funnels into the stateful generic cores, so the bookkeeping exists once.
// Overloads without state pass the delegate itself as state through a static lambda: no closure is allocated on
// any path. Each core has two ways in: a closed breaker (no slow-call threshold) admits the call at once as a
// ClosedCall, with no permit, which is most calls and worth keeping to a handful of instructions; everything else
// (cancellation, argument checks, every other state) goes through the out-of-line *Acquiring method and a permit.
// Both run the same Run* body, specialised for each kind of admission (ExecuteAsync writes its closed one out).
public sealed partial class CircuitBreaker
{
    /// <summary>Runs <paramref name="operation"/> through the breaker.</summary>
    /// <returns>The operation's result. Its exceptions pass through untouched.</returns>
    /// <exception cref="CircuitOpenException">The breaker rejected the call; the operation did not run.</exception>
    [OverloadResolutionPriority(1)] // an async lambda fits Task and ValueTask alike: prefer the cheaper one
    public ValueTask<TResult> ExecuteAsync<TState, TResult>(Func<TState, CancellationToken, ValueTask<TResult>> operation, TState state, CancellationToken cancellationToken = default)
    {
        var s = Volatile.Read(ref _state);
        if (!s.IsPlainClosed || operation is null || cancellationToken.IsCancellationRequested)
        {
            return ExecuteAsyncAcquiring(operation!, state, cancellationToken);
        }

        // RunAsync's body, written out for a ClosedCall: the JIT does not inline a method with a catch, and calling
        // it measured about 4 ns on this path (out of 10). Nor is a ClosedCall built before it is needed: with
        // reference types (shared generic code) the struct was stored field by field and copied whole, a stalled
        // store-to-load forward on every call. The other styles call their Run* bodies; this is the one most callers use.
        long started = StartTimestamp();
        ValueTask<TResult> pending;
        try
        {
            pending = operation(state, cancellationToken);
        }
        catch (Exception ex)
        {
            return new ClosedCall(this, s, started).Thrown<TResult>(ex, cancellationToken);
        }

        if (pending.IsCompletedSuccessfully)
        {
            TResult result = pending.Result;
            var current = Volatile.Read(ref _state); // classified by the settings in force now, as in every style
            Completion completion;
            try
            {
                completion = ClassifyUnguarded(current, result);
            }
#pragma warning disable CA1031 // a throwing ShouldHandleResult must not replace the caller's result
            catch (Exception)
#pragma warning restore CA1031
            {
                completion = ResultClassificationFault();
            }

            CompleteClosed(s, current, completion, started);
            return new ValueTask<TResult>(result);
        }

        return AwaitAndRecordAsync(pending, new ClosedCall(this, s, started), cancellationToken);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ValueTask<TResult> ExecuteAsyncAcquiring<TState, TResult>(Func<TState, CancellationToken, ValueTask<TResult>> operation, TState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TResult>(cancellationToken);
        }

        if (!TryAcquireCore(out var permit, out var retryAfter, out var rejectedIn))
        {
            return ValueTask.FromException<TResult>(new CircuitOpenException(Name, rejectedIn, retryAfter));
        }

        return RunAsync(operation, state, new PermitCall(permit), cancellationToken);
    }

    private static ValueTask<TResult> RunAsync<TState, TResult, TCall>(Func<TState, CancellationToken, ValueTask<TResult>> operation, TState state, TCall call, CancellationToken cancellationToken)
        where TCall : struct, IAdmittedCall
    {
        ValueTask<TResult> pending;
        try
        {
            pending = operation(state, cancellationToken);
        }
        catch (Exception ex)
        {
            call.RecordException(ex, cancellationToken);
            return ValueTask.FromException<TResult>(ex);
        }

        if (pending.IsCompletedSuccessfully && !ClassifiesAsynchronously<TResult, TCall>(call))
        {
            TResult result = pending.Result;
            call.RecordResult(result);
            return new ValueTask<TResult>(result);
        }

        return AwaitAndRecordAsync(pending, call, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="operation"/> through the breaker and returns its outcome instead of throwing: a value,
    /// the operation's exception, or a rejection. A rejection allocates nothing.
    /// </summary>
    [OverloadResolutionPriority(1)] // an async lambda fits Task and ValueTask alike: prefer the cheaper one
    public ValueTask<CallOutcome<TResult>> TryExecuteAsync<TState, TResult>(Func<TState, CancellationToken, ValueTask<TResult>> operation, TState state, CancellationToken cancellationToken = default)
    {
        var s = Volatile.Read(ref _state);
        return s.IsPlainClosed && operation is not null && !cancellationToken.IsCancellationRequested
            ? TryRunAsync(operation, state, new ClosedCall(this, s, StartTimestamp()), cancellationToken)
            : TryExecuteAsyncAcquiring(operation!, state, s, cancellationToken);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ValueTask<CallOutcome<TResult>> TryExecuteAsyncAcquiring<TState, TResult>(Func<TState, CancellationToken, ValueTask<TResult>> operation, TState state, StateRecord s, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (cancellationToken.IsCancellationRequested)
        {
            return new ValueTask<CallOutcome<TResult>>(CallOutcome<TResult>.FromException(new OperationCanceledException(cancellationToken)));
        }

        if (RejectsWithinBreak(s, out var left))
        {
            return new ValueTask<CallOutcome<TResult>>(CallOutcome<TResult>.Rejected(Name, BreakerState.Open, left));
        }

        if (!TryAcquireCore(out var permit, out var retryAfter, out var rejectedIn))
        {
            return new ValueTask<CallOutcome<TResult>>(CallOutcome<TResult>.Rejected(Name, rejectedIn, retryAfter));
        }

        return TryRunAsync(operation, state, new PermitCall(permit), cancellationToken);
    }

    private static ValueTask<CallOutcome<TResult>> TryRunAsync<TState, TResult, TCall>(Func<TState, CancellationToken, ValueTask<TResult>> operation, TState state, TCall call, CancellationToken cancellationToken)
        where TCall : struct, IAdmittedCall
    {
        ValueTask<TResult> pending;
        try
        {
            pending = operation(state, cancellationToken);
        }
        catch (Exception ex)
        {
            call.RecordException(ex, cancellationToken);
            return new ValueTask<CallOutcome<TResult>>(CallOutcome<TResult>.FromException(ex));
        }

        if (pending.IsCompletedSuccessfully && !ClassifiesAsynchronously<TResult, TCall>(call))
        {
            TResult result = pending.Result;
            call.RecordResult(result);
            return new ValueTask<CallOutcome<TResult>>(CallOutcome<TResult>.FromValue(result));
        }

        return AwaitOutcomeAsync(pending, call, cancellationToken);
    }

    /// <summary>Runs a synchronous <paramref name="operation"/> through the breaker.</summary>
    /// <exception cref="CircuitOpenException">The breaker rejected the call; the operation did not run.</exception>
    public TResult Execute<TState, TResult>(Func<TState, CancellationToken, TResult> operation, TState state, CancellationToken cancellationToken = default)
    {
        var s = Volatile.Read(ref _state);
        return s.IsPlainClosed && operation is not null && !cancellationToken.IsCancellationRequested
            ? Run(operation, state, new ClosedCall(this, s, StartTimestamp()), cancellationToken)
            : ExecuteAcquiring(operation!, state, cancellationToken);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private TResult ExecuteAcquiring<TState, TResult>(Func<TState, CancellationToken, TResult> operation, TState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        cancellationToken.ThrowIfCancellationRequested();
        if (!TryAcquireCore(out var permit, out var retryAfter, out var rejectedIn))
        {
            throw new CircuitOpenException(Name, rejectedIn, retryAfter);
        }

        return Run(operation, state, new PermitCall(permit), cancellationToken);
    }

    private static TResult Run<TState, TResult, TCall>(Func<TState, CancellationToken, TResult> operation, TState state, TCall call, CancellationToken cancellationToken)
        where TCall : struct, IAdmittedCall
    {
        TResult result;
        try
        {
            result = operation(state, cancellationToken);
        }
        catch (Exception ex)
        {
            call.RecordException(ex, cancellationToken);
            throw;
        }

        call.RecordResult(result);
        return result;
    }

    /// <summary>Runs a synchronous <paramref name="operation"/> and returns its outcome instead of throwing; a rejection allocates nothing.</summary>
    public CallOutcome<TResult> TryExecute<TState, TResult>(Func<TState, CancellationToken, TResult> operation, TState state, CancellationToken cancellationToken = default)
    {
        var s = Volatile.Read(ref _state);
        return s.IsPlainClosed && operation is not null && !cancellationToken.IsCancellationRequested
            ? TryRun(operation, state, new ClosedCall(this, s, StartTimestamp()), cancellationToken)
            : TryExecuteAcquiring(operation!, state, s, cancellationToken);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private CallOutcome<TResult> TryExecuteAcquiring<TState, TResult>(Func<TState, CancellationToken, TResult> operation, TState state, StateRecord s, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (cancellationToken.IsCancellationRequested)
        {
            return CallOutcome<TResult>.FromException(new OperationCanceledException(cancellationToken));
        }

        if (RejectsWithinBreak(s, out var left))
        {
            return CallOutcome<TResult>.Rejected(Name, BreakerState.Open, left);
        }

        if (!TryAcquireCore(out var permit, out var retryAfter, out var rejectedIn))
        {
            return CallOutcome<TResult>.Rejected(Name, rejectedIn, retryAfter);
        }

        return TryRun(operation, state, new PermitCall(permit), cancellationToken);
    }

    private static CallOutcome<TResult> TryRun<TState, TResult, TCall>(Func<TState, CancellationToken, TResult> operation, TState state, TCall call, CancellationToken cancellationToken)
        where TCall : struct, IAdmittedCall
    {
        TResult result;
        try
        {
            result = operation(state, cancellationToken);
        }
        catch (Exception ex)
        {
            call.RecordException(ex, cancellationToken);
            return CallOutcome<TResult>.FromException(ex);
        }

        call.RecordResult(result);
        return CallOutcome<TResult>.FromValue(result);
    }

    private static async ValueTask<TResult> AwaitAndRecordAsync<TResult, TCall>(ValueTask<TResult> pending, TCall call, CancellationToken cancellationToken)
        where TCall : struct, IAdmittedCall
    {
        TResult result;
        try
        {
            result = await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            call.RecordException(ex, cancellationToken);
            throw;
        }

        await RecordResultAsync(call, result, cancellationToken).ConfigureAwait(false);
        return result;
    }

    private static async ValueTask<CallOutcome<TResult>> AwaitOutcomeAsync<TResult, TCall>(ValueTask<TResult> pending, TCall call, CancellationToken cancellationToken)
        where TCall : struct, IAdmittedCall
    {
        TResult result;
        try
        {
            result = await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            call.RecordException(ex, cancellationToken);
            return CallOutcome<TResult>.FromException(ex);
        }

        await RecordResultAsync(call, result, cancellationToken).ConfigureAwait(false);
        return CallOutcome<TResult>.FromValue(result);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool ClassifiesAsynchronously<TResult, TCall>(TCall call)
        where TCall : struct, IAdmittedCall =>
        typeof(TResult) != typeof(VoidResult) && call.ClassifiesAsynchronously;

    /// <summary>The async styles' report of a result: awaited when an asynchronous result clause is configured.</summary>
    private static ValueTask RecordResultAsync<TResult, TCall>(TCall call, TResult result, CancellationToken cancellationToken)
        where TCall : struct, IAdmittedCall
    {
        if (ClassifiesAsynchronously<TResult, TCall>(call))
        {
            return call.RecordResultAsync(result, cancellationToken);
        }

        call.RecordResult(result);
        return ValueTask.CompletedTask;
    }
}
