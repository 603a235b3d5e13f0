using System.Runtime.CompilerServices;
using Fusebox.Internal;

namespace Fusebox;

// The call styles' convenience overloads: without a state argument, with Task instead of ValueTask, with no result.
// Each forwards to a stateful ValueTask (or synchronous) core in CircuitBreaker.Execute.cs, passing the delegate (and
// the caller's state) as the core's state through a static lambda, so no overload allocates a closure.
public sealed partial class CircuitBreaker
{
    /// <summary>Runs <paramref name="operation"/> through the breaker.</summary>
    /// <exception cref="CircuitOpenException">The breaker rejected the call; the operation did not run.</exception>
    [OverloadResolutionPriority(1)] // an async lambda fits Task and ValueTask alike: prefer the cheaper one
    public ValueTask<TResult> ExecuteAsync<TResult>(Func<CancellationToken, ValueTask<TResult>> operation, CancellationToken cancellationToken = default) =>
        ExecuteAsync(static (op, ct) => op(ct), operation ?? throw new ArgumentNullException(nameof(operation)), cancellationToken);

    /// <summary>Runs a <see cref="Task{TResult}"/>-returning <paramref name="operation"/> through the breaker.</summary>
    /// <exception cref="CircuitOpenException">The breaker rejected the call; the operation did not run.</exception>
    public ValueTask<TResult> ExecuteAsync<TResult>(Func<CancellationToken, Task<TResult>> operation, CancellationToken cancellationToken = default) =>
        ExecuteAsync(static (op, ct) => new ValueTask<TResult>(op(ct)), operation ?? throw new ArgumentNullException(nameof(operation)), cancellationToken);

    /// <summary>Runs an operation that returns no value through the breaker.</summary>
    /// <exception cref="CircuitOpenException">The breaker rejected the call; the operation did not run.</exception>
    [OverloadResolutionPriority(1)] // an async lambda fits Task and ValueTask alike: prefer the cheaper one
    public ValueTask ExecuteAsync(Func<CancellationToken, ValueTask> operation, CancellationToken cancellationToken = default) =>
        VoidResult.Strip(ExecuteAsync(static (op, ct) => VoidResult.From(op(ct)), operation ?? throw new ArgumentNullException(nameof(operation)), cancellationToken));

    /// <summary>Runs a <see cref="Task"/>-returning operation that returns no value through the breaker.</summary>
    /// <exception cref="CircuitOpenException">The breaker rejected the call; the operation did not run.</exception>
    public ValueTask ExecuteAsync(Func<CancellationToken, Task> operation, CancellationToken cancellationToken = default) =>
        VoidResult.Strip(ExecuteAsync(static (op, ct) => VoidResult.From(new ValueTask(op(ct))), operation ?? throw new ArgumentNullException(nameof(operation)), cancellationToken));

    /// <summary>Runs <paramref name="operation"/> and returns its outcome instead of throwing; a rejection allocates nothing.</summary>
    [OverloadResolutionPriority(1)] // an async lambda fits Task and ValueTask alike: prefer the cheaper one
    public ValueTask<CallOutcome<TResult>> TryExecuteAsync<TResult>(Func<CancellationToken, ValueTask<TResult>> operation, CancellationToken cancellationToken = default) =>
        TryExecuteAsync(static (op, ct) => op(ct), operation ?? throw new ArgumentNullException(nameof(operation)), cancellationToken);

    /// <summary>Runs a <see cref="Task{TResult}"/>-returning <paramref name="operation"/> and returns its outcome instead of throwing.</summary>
    public ValueTask<CallOutcome<TResult>> TryExecuteAsync<TResult>(Func<CancellationToken, Task<TResult>> operation, CancellationToken cancellationToken = default) =>
        TryExecuteAsync(static (op, ct) => new ValueTask<TResult>(op(ct)), operation ?? throw new ArgumentNullException(nameof(operation)), cancellationToken);

    /// <summary>Runs a synchronous <paramref name="operation"/> through the breaker.</summary>
    /// <exception cref="CircuitOpenException">The breaker rejected the call; the operation did not run.</exception>
    public TResult Execute<TResult>(Func<CancellationToken, TResult> operation, CancellationToken cancellationToken = default) =>
        Execute(static (op, ct) => op(ct), operation ?? throw new ArgumentNullException(nameof(operation)), cancellationToken);

    /// <summary>Runs a synchronous operation that returns nothing through the breaker.</summary>
    /// <exception cref="CircuitOpenException">The breaker rejected the call; the operation did not run.</exception>
    public void Execute(Action<CancellationToken> operation, CancellationToken cancellationToken = default) =>
        Execute(static (op, ct) =>
        {
            op(ct);
            return default(VoidResult);
        }, operation ?? throw new ArgumentNullException(nameof(operation)), cancellationToken);

    /// <summary>Runs a synchronous <paramref name="operation"/> and returns its outcome instead of throwing.</summary>
    public CallOutcome<TResult> TryExecute<TResult>(Func<CancellationToken, TResult> operation, CancellationToken cancellationToken = default) =>
        TryExecute(static (op, ct) => op(ct), operation ?? throw new ArgumentNullException(nameof(operation)), cancellationToken);

    /// <summary>Runs a <see cref="Task{TResult}"/>-returning <paramref name="operation"/> with a state argument through the breaker.</summary>
    /// <exception cref="CircuitOpenException">The breaker rejected the call; the operation did not run.</exception>
    public ValueTask<TResult> ExecuteAsync<TState, TResult>(Func<TState, CancellationToken, Task<TResult>> operation, TState state, CancellationToken cancellationToken = default) =>
        ExecuteAsync(static (s, ct) => new ValueTask<TResult>(s.Operation(s.State, ct)), (Operation: operation ?? throw new ArgumentNullException(nameof(operation)), State: state), cancellationToken);

    /// <summary>Runs an operation with a state argument that returns no value through the breaker.</summary>
    /// <exception cref="CircuitOpenException">The breaker rejected the call; the operation did not run.</exception>
    [OverloadResolutionPriority(1)] // an async lambda fits Task and ValueTask alike: prefer the cheaper one
    public ValueTask ExecuteAsync<TState>(Func<TState, CancellationToken, ValueTask> operation, TState state, CancellationToken cancellationToken = default) =>
        VoidResult.Strip(ExecuteAsync(static (s, ct) => VoidResult.From(s.Operation(s.State, ct)), (Operation: operation ?? throw new ArgumentNullException(nameof(operation)), State: state), cancellationToken));

    /// <summary>Runs a <see cref="Task"/>-returning operation with a state argument that returns no value through the breaker.</summary>
    /// <exception cref="CircuitOpenException">The breaker rejected the call; the operation did not run.</exception>
    public ValueTask ExecuteAsync<TState>(Func<TState, CancellationToken, Task> operation, TState state, CancellationToken cancellationToken = default) =>
        VoidResult.Strip(ExecuteAsync(static (s, ct) => VoidResult.From(new ValueTask(s.Operation(s.State, ct))), (Operation: operation ?? throw new ArgumentNullException(nameof(operation)), State: state), cancellationToken));

    /// <summary>Runs a <see cref="Task{TResult}"/>-returning <paramref name="operation"/> with a state argument and returns its outcome instead of throwing.</summary>
    public ValueTask<CallOutcome<TResult>> TryExecuteAsync<TState, TResult>(Func<TState, CancellationToken, Task<TResult>> operation, TState state, CancellationToken cancellationToken = default) =>
        TryExecuteAsync(static (s, ct) => new ValueTask<TResult>(s.Operation(s.State, ct)), (Operation: operation ?? throw new ArgumentNullException(nameof(operation)), State: state), cancellationToken);
}
