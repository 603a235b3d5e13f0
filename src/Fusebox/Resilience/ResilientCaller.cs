using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Fusebox.Internal;

namespace Fusebox;

/// <summary>
/// Composes, from outside to inside: fallback → breaker → retry (backoff, jitter, budget) → per-attempt timeout →
/// the operation. The breaker is outside the retries, as the seed says: retries outside would walk straight past an
/// open circuit, and the breaker must see the final result of all attempts — a whole failed sequence is one failure.
/// A rejected call is never retried; the caller's own cancellation stops at once, is never retried and is not a
/// failure. Thread-safe; create one per dependency and reuse it.
/// </summary>
public sealed class ResilientCaller
{
    private readonly CircuitBreaker _breaker;
    private readonly RetryOptions _retry;
    private readonly RetryDelays _delays;
    private readonly TimeSpan? _attemptTimeout;
    private readonly TimeSpan? _overallTimeout;
    private readonly ResilienceMetrics _metrics;
    private readonly Func<object?, bool>? _shouldHandleResult;

    /// <summary>Creates a caller around <paramref name="breaker"/>.</summary>
    /// <param name="breaker">The breaker that sees each whole call as one outcome.</param>
    /// <param name="options">Retry and timeout options (copied and validated now); null for the defaults.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public ResilientCaller(CircuitBreaker breaker, ResilientCallerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(breaker);
        options ??= new ResilientCallerOptions();
        options.Validate();
        _breaker = breaker;
        _retry = options.Retry.Clone();
        _delays = new RetryDelays(_retry);
        _attemptTimeout = options.Timeout.AttemptTimeout;
        _overallTimeout = options.Timeout.OverallTimeout;
        _metrics = breaker.Metrics.Resilience;
        _shouldHandleResult = options.ShouldHandleResult;
    }

    /// <summary>The breaker inside this caller.</summary>
    public CircuitBreaker Breaker => _breaker;

    /// <summary>The breaker's name, which tags this caller's metrics.</summary>
    public string Name => _breaker.Name;

    /// <summary>Runs <paramref name="operation"/> through fallback, breaker, retries and timeouts.</summary>
    /// <param name="operation">The operation; it must honour its token for timeouts to work (they are cooperative).</param>
    /// <param name="state">Passed to the operation, so a <c>static</c> lambda needs no closure.</param>
    /// <param name="fallback">The substitute for a rejection and/or a final failure; null for none.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The value (the operation's or the fallback's) and whether the fallback was used.</returns>
    /// <exception cref="BrokenCircuitException">The breaker rejected the call and no fallback handles rejections.</exception>
    /// <exception cref="TimeoutRejectedException">The last attempt or the whole call timed out (and no fallback handles failures).</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled.</exception>
    public async ValueTask<CallResult<TResult>> ExecuteAsync<TState, TResult>(Func<TState, CancellationToken, ValueTask<TResult>> operation,
        TState state, Fallback<TResult>? fallback = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_breaker.TryAcquireCore(out var permit, out var retryAfter, out var rejectedIn))
        {
            if (fallback is not null && fallback.Handles(FallbackReason.Rejected))
            {
                _metrics.Fallback(Name, FallbackReason.Rejected);
                var substitute = await fallback.GetAsync(new FallbackContext(FallbackReason.Rejected, null, retryAfter), cancellationToken).ConfigureAwait(false);
                return new CallResult<TResult>(substitute, 0, FallbackReason.Rejected, null);
            }

            throw new BrokenCircuitException(Name, rejectedIn, retryAfter);
        }

        _retry.Budget?.Deposit();
        var overall = _overallTimeout is { } overallLimit ? PooledTimeout.Rent(overallLimit, _breaker.TimeProvider, cancellationToken) : null;
        var sequenceToken = overall?.Token ?? cancellationToken;
        int attempt = 0;
        TResult result = default!;
        Exception? failure;
        try
        {
            var previousDelay = TimeSpan.Zero;
            while (true)
            {
                attempt++;
                _metrics.Attempt(Name);
                failure = null;
                var attemptTimeout = _attemptTimeout is { } limit ? PooledTimeout.Rent(limit, _breaker.TimeProvider, sequenceToken) : null;
                try
                {
                    result = await operation(state, attemptTimeout?.Token ?? sequenceToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    permit.Release(); // the caller gave up: not retried, and says nothing about the dependency
                    throw;
                }
                catch (OperationCanceledException ex) when (overall is { TimedOut: true })
                {
                    failure = TimedOut(_overallTimeout!.Value, ex, overall: true);
                }
                catch (OperationCanceledException ex) when (attemptTimeout is { TimedOut: true })
                {
                    failure = TimedOut(_attemptTimeout!.Value, ex, overall: false);
                }
                catch (Exception ex)
                {
                    failure = ex;
                }
                finally
                {
                    attemptTimeout?.Return();
                }

                if (overall is { TimedOut: true } || attempt >= _retry.MaxAttempts || !ShouldRetry(failure, result))
                {
                    break;
                }

                if (_retry.Budget is { } budget && !budget.TryWithdraw())
                {
                    _metrics.BudgetExhausted(Name); // the last failure stands: no new exception type for the caller
                    break;
                }

                object? failedResult = failure is null ? result : null;
                var hint = _retry.DelayHint?.Invoke(new DelayHintContext(failedResult, failure, attempt));
                var delay = _delays.Next(attempt, previousDelay, hint);
                previousDelay = delay;
                _retry.OnRetry?.Invoke(new RetryEvent(Name, attempt, delay, failure, failedResult));
                _metrics.Retry(Name);
                if (delay > TimeSpan.Zero)
                {
                    try
                    {
                        await Task.Delay(delay, _breaker.TimeProvider, sequenceToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        permit.Release();
                        throw;
                    }
                    catch (OperationCanceledException ex)
                    {
                        failure = TimedOut(_overallTimeout!.Value, ex, overall: true);
                        break;
                    }
                }
            }
        }
        finally
        {
            overall?.Return();
        }

        return await FinishAsync(permit, attempt, result, failure, fallback, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="operation"/> through fallback, breaker, retries and timeouts.</summary>
    [OverloadResolutionPriority(1)]
    public ValueTask<CallResult<TResult>> ExecuteAsync<TResult>(Func<CancellationToken, ValueTask<TResult>> operation,
        Fallback<TResult>? fallback = null, CancellationToken cancellationToken = default) =>
        ExecuteAsync(static (op, ct) => op(ct), operation ?? throw new ArgumentNullException(nameof(operation)), fallback, cancellationToken);

    /// <summary>Runs a <see cref="Task{TResult}"/>-returning <paramref name="operation"/> through fallback, breaker, retries and timeouts.</summary>
    public ValueTask<CallResult<TResult>> ExecuteAsync<TResult>(Func<CancellationToken, Task<TResult>> operation,
        Fallback<TResult>? fallback = null, CancellationToken cancellationToken = default) =>
        ExecuteAsync(static (op, ct) => new ValueTask<TResult>(op(ct)), operation ?? throw new ArgumentNullException(nameof(operation)), fallback, cancellationToken);

    private async ValueTask<CallResult<TResult>> FinishAsync<TResult>(CircuitPermit permit, int attempts, TResult result, Exception? failure,
        Fallback<TResult>? fallback, CancellationToken cancellationToken)
    {
        // The breaker sees the sequence once: its final result or exception.
        bool failed;
        if (failure is null)
        {
            failed = _breaker.Classify(result) == Completion.Failure
                     || (_shouldHandleResult is { } handle && handle(result))
                     || (_retry.ShouldRetryResult is { } retryable && retryable(result));
            if (failed)
            {
                permit.RecordFailure();
            }
            else
            {
                permit.RecordSuccess();
            }
        }
        else
        {
            permit.RecordException(failure, cancellationToken);
            failed = true;
        }

        if (!failed)
        {
            return new CallResult<TResult>(result, attempts, FallbackReason.None, null);
        }

        if (fallback is not null && fallback.Handles(FallbackReason.Failed))
        {
            _metrics.Fallback(Name, FallbackReason.Failed);
            var substitute = await fallback.GetAsync(new FallbackContext(FallbackReason.Failed, failure, null), cancellationToken).ConfigureAwait(false);
            return new CallResult<TResult>(substitute, attempts, FallbackReason.Failed, failure);
        }

        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure); // the operation's own exception, with its own stack trace
        }

        return new CallResult<TResult>(result, attempts, FallbackReason.None, null);
    }

    private bool ShouldRetry<TResult>(Exception? failure, TResult result) => failure is null
        ? _retry.ShouldRetryResult is { } retryResult && retryResult(result)
        : failure is not BrokenCircuitException && (_retry.ShouldRetryException is null || _retry.ShouldRetryException(failure));

    private TimeoutRejectedException TimedOut(TimeSpan limit, Exception cause, bool overall)
    {
        _metrics.Timeout(Name, overall);
        return new TimeoutRejectedException(limit, cause);
    }
}
