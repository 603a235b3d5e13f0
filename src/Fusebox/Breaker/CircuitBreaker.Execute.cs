using System.Runtime.CompilerServices;
using Fusebox.Internal;

namespace Fusebox;

// The three call styles. Every overload funnels into the two stateful generic cores (async and sync), so the
// bookkeeping exists once. Overloads without state pass the delegate itself as state through a static lambda:
// no closure is allocated on any path.
public sealed partial class CircuitBreaker
{
    /// <summary>Runs <paramref name="operation"/> through the breaker.</summary>
    /// <returns>The operation's result. Its exceptions pass through untouched.</returns>
    /// <exception cref="BrokenCircuitException">The breaker rejected the call; the operation did not run.</exception>
    public ValueTask<TResult> ExecuteAsync<TState, TResult>(Func<TState, CancellationToken, ValueTask<TResult>> operation, TState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TResult>(cancellationToken);
        }

        if (!TryAcquireCore(out var permit, out var retryAfter, out var rejectedIn))
        {
            return ValueTask.FromException<TResult>(new BrokenCircuitException(Name, rejectedIn, retryAfter));
        }

        ValueTask<TResult> pending;
        try
        {
            pending = operation(state, cancellationToken);
        }
        catch (Exception ex)
        {
            permit.RecordException(ex, cancellationToken);
            return ValueTask.FromException<TResult>(ex);
        }

        if (pending.IsCompletedSuccessfully)
        {
            TResult result = pending.Result;
            permit.RecordResult(result);
            return new ValueTask<TResult>(result);
        }

        return AwaitAndRecordAsync(pending, permit, cancellationToken);
    }

    /// <summary>Runs <paramref name="operation"/> through the breaker.</summary>
    /// <exception cref="BrokenCircuitException">The breaker rejected the call; the operation did not run.</exception>
    [OverloadResolutionPriority(1)] // an async lambda fits Task and ValueTask alike: prefer the cheaper one
    public ValueTask<TResult> ExecuteAsync<TResult>(Func<CancellationToken, ValueTask<TResult>> operation, CancellationToken cancellationToken = default) =>
        ExecuteAsync(static (op, ct) => op(ct), operation ?? throw new ArgumentNullException(nameof(operation)), cancellationToken);

    /// <summary>Runs a <see cref="Task{TResult}"/>-returning <paramref name="operation"/> through the breaker.</summary>
    /// <exception cref="BrokenCircuitException">The breaker rejected the call; the operation did not run.</exception>
    public ValueTask<TResult> ExecuteAsync<TResult>(Func<CancellationToken, Task<TResult>> operation, CancellationToken cancellationToken = default) =>
        ExecuteAsync(static (op, ct) => new ValueTask<TResult>(op(ct)), operation ?? throw new ArgumentNullException(nameof(operation)), cancellationToken);

    /// <summary>Runs an operation that returns no value through the breaker.</summary>
    /// <exception cref="BrokenCircuitException">The breaker rejected the call; the operation did not run.</exception>
    [OverloadResolutionPriority(1)] // an async lambda fits Task and ValueTask alike: prefer the cheaper one
    public ValueTask ExecuteAsync(Func<CancellationToken, ValueTask> operation, CancellationToken cancellationToken = default) =>
        VoidResult.Strip(ExecuteAsync(static (op, ct) => VoidResult.From(op(ct)), operation ?? throw new ArgumentNullException(nameof(operation)), cancellationToken));

    /// <summary>Runs a <see cref="Task"/>-returning operation that returns no value through the breaker.</summary>
    /// <exception cref="BrokenCircuitException">The breaker rejected the call; the operation did not run.</exception>
    public ValueTask ExecuteAsync(Func<CancellationToken, Task> operation, CancellationToken cancellationToken = default) =>
        VoidResult.Strip(ExecuteAsync(static (op, ct) => VoidResult.From(new ValueTask(op(ct))), operation ?? throw new ArgumentNullException(nameof(operation)), cancellationToken));

    /// <summary>
    /// Runs <paramref name="operation"/> through the breaker and returns its outcome instead of throwing: a value,
    /// the operation's exception, or a rejection. A rejection allocates nothing.
    /// </summary>
    public ValueTask<Outcome<TResult>> TryExecuteAsync<TState, TResult>(Func<TState, CancellationToken, ValueTask<TResult>> operation, TState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (cancellationToken.IsCancellationRequested)
        {
            return new ValueTask<Outcome<TResult>>(Outcome<TResult>.FromException(new OperationCanceledException(cancellationToken)));
        }

        if (!TryAcquireCore(out var permit, out var retryAfter, out var rejectedIn))
        {
            return new ValueTask<Outcome<TResult>>(Outcome<TResult>.Rejected(Name, rejectedIn, retryAfter));
        }

        ValueTask<TResult> pending;
        try
        {
            pending = operation(state, cancellationToken);
        }
        catch (Exception ex)
        {
            permit.RecordException(ex, cancellationToken);
            return new ValueTask<Outcome<TResult>>(Outcome<TResult>.FromException(ex));
        }

        if (pending.IsCompletedSuccessfully)
        {
            TResult result = pending.Result;
            permit.RecordResult(result);
            return new ValueTask<Outcome<TResult>>(Outcome<TResult>.FromValue(result));
        }

        return AwaitOutcomeAsync(pending, permit, cancellationToken);
    }

    /// <summary>Runs <paramref name="operation"/> and returns its outcome instead of throwing; a rejection allocates nothing.</summary>
    [OverloadResolutionPriority(1)] // an async lambda fits Task and ValueTask alike: prefer the cheaper one
    public ValueTask<Outcome<TResult>> TryExecuteAsync<TResult>(Func<CancellationToken, ValueTask<TResult>> operation, CancellationToken cancellationToken = default) =>
        TryExecuteAsync(static (op, ct) => op(ct), operation ?? throw new ArgumentNullException(nameof(operation)), cancellationToken);

    /// <summary>Runs a <see cref="Task{TResult}"/>-returning <paramref name="operation"/> and returns its outcome instead of throwing.</summary>
    public ValueTask<Outcome<TResult>> TryExecuteAsync<TResult>(Func<CancellationToken, Task<TResult>> operation, CancellationToken cancellationToken = default) =>
        TryExecuteAsync(static (op, ct) => new ValueTask<TResult>(op(ct)), operation ?? throw new ArgumentNullException(nameof(operation)), cancellationToken);

    /// <summary>Runs a synchronous <paramref name="operation"/> through the breaker.</summary>
    /// <exception cref="BrokenCircuitException">The breaker rejected the call; the operation did not run.</exception>
    public TResult Execute<TState, TResult>(Func<TState, CancellationToken, TResult> operation, TState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        cancellationToken.ThrowIfCancellationRequested();
        if (!TryAcquireCore(out var permit, out var retryAfter, out var rejectedIn))
        {
            throw new BrokenCircuitException(Name, rejectedIn, retryAfter);
        }

        TResult result;
        try
        {
            result = operation(state, cancellationToken);
        }
        catch (Exception ex)
        {
            permit.RecordException(ex, cancellationToken);
            throw;
        }

        permit.RecordResult(result);
        return result;
    }

    /// <summary>Runs a synchronous <paramref name="operation"/> through the breaker.</summary>
    /// <exception cref="BrokenCircuitException">The breaker rejected the call; the operation did not run.</exception>
    public TResult Execute<TResult>(Func<CancellationToken, TResult> operation, CancellationToken cancellationToken = default) =>
        Execute(static (op, ct) => op(ct), operation ?? throw new ArgumentNullException(nameof(operation)), cancellationToken);

    /// <summary>Runs a synchronous operation that returns nothing through the breaker.</summary>
    /// <exception cref="BrokenCircuitException">The breaker rejected the call; the operation did not run.</exception>
    public void Execute(Action<CancellationToken> operation, CancellationToken cancellationToken = default) =>
        Execute(static (op, ct) =>
        {
            op(ct);
            return default(VoidResult);
        }, operation ?? throw new ArgumentNullException(nameof(operation)), cancellationToken);

    /// <summary>Runs a synchronous <paramref name="operation"/> and returns its outcome instead of throwing; a rejection allocates nothing.</summary>
    public Outcome<TResult> TryExecute<TState, TResult>(Func<TState, CancellationToken, TResult> operation, TState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (cancellationToken.IsCancellationRequested)
        {
            return Outcome<TResult>.FromException(new OperationCanceledException(cancellationToken));
        }

        if (!TryAcquireCore(out var permit, out var retryAfter, out var rejectedIn))
        {
            return Outcome<TResult>.Rejected(Name, rejectedIn, retryAfter);
        }

        TResult result;
        try
        {
            result = operation(state, cancellationToken);
        }
        catch (Exception ex)
        {
            permit.RecordException(ex, cancellationToken);
            return Outcome<TResult>.FromException(ex);
        }

        permit.RecordResult(result);
        return Outcome<TResult>.FromValue(result);
    }

    /// <summary>Runs a synchronous <paramref name="operation"/> and returns its outcome instead of throwing.</summary>
    public Outcome<TResult> TryExecute<TResult>(Func<CancellationToken, TResult> operation, CancellationToken cancellationToken = default) =>
        TryExecute(static (op, ct) => op(ct), operation ?? throw new ArgumentNullException(nameof(operation)), cancellationToken);

    private static async ValueTask<TResult> AwaitAndRecordAsync<TResult>(ValueTask<TResult> pending, CircuitPermit permit, CancellationToken cancellationToken)
    {
        TResult result;
        try
        {
            result = await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            permit.RecordException(ex, cancellationToken);
            throw;
        }

        permit.RecordResult(result);
        return result;
    }

    private static async ValueTask<Outcome<TResult>> AwaitOutcomeAsync<TResult>(ValueTask<TResult> pending, CircuitPermit permit, CancellationToken cancellationToken)
    {
        TResult result;
        try
        {
            result = await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            permit.RecordException(ex, cancellationToken);
            return Outcome<TResult>.FromException(ex);
        }

        permit.RecordResult(result);
        return Outcome<TResult>.FromValue(result);
    }
}
