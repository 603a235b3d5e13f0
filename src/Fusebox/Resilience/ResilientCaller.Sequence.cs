using Fusebox.Internal;

namespace Fusebox;

/// <summary>The retry sequence's decisions and the one place each permit is reported; user callbacks are called
/// only through the guards here, so none of them can leak a permit or replace the operation's outcome.</summary>
public sealed partial class ResilientCaller
{
    /// <summary>Whether the attempt that just failed may be followed by another; takes a budget token when so.</summary>
    private bool MayRetry(in CircuitPermit permit, int attempt, Exception? failure, bool retryableResult, PooledTimeout? overall)
    {
        if (overall is { TimedOut: true } || attempt >= _retry.MaxAttempts)
        {
            return false;
        }

        // A probe is the breaker asking one call whether the dependency is back: its answer is that call's outcome.
        // Retrying it would close the breaker on a dependency that failed most calls, and would keep the probe
        // running past its slot's ProbeTimeout while the breaker admits other probes.
        if (permit.IsProbe || BreakerMovedOn(permit))
        {
            return false;
        }

        if (failure is null ? !retryableResult : !RetriesException(failure))
        {
            return false;
        }

        if (_retry.Budget is { } budget && !budget.TryWithdraw())
        {
            _metrics.BudgetExhausted(Name); // the last failure stands: no new exception type for the caller
            return false;
        }

        return true;
    }

    /// <summary>
    /// True when the breaker has left the state the permit was issued in (opened on other callers' failures, closed,
    /// reset, isolated): the sequence's outcome would be ignored as late, and further attempts would load a
    /// dependency the breaker now shields (or call it outside the round that admitted this one). A stale read only
    /// delays the stop by one attempt; it never stops a sequence whose generation is current.
    /// </summary>
    private bool BreakerMovedOn(in CircuitPermit permit) => _breaker.Generation != permit.Generation;

    /// <summary>Computes the next delay and announces the retry; false when a callback threw (the sequence ends).</summary>
    private bool TryPlanRetry<TResult>(int attempt, Exception? failure, TResult result, ref TimeSpan previousDelay, out TimeSpan delay)
    {
        object? failedResult = failure is null ? result : null;
        try
        {
            var hint = _retry.DelayHint?.Invoke(new DelayHintContext(failedResult, failure, attempt));
            delay = _delays.Next(attempt, previousDelay, hint);
            _retry.OnRetry?.Invoke(new RetryEvent(Name, attempt, delay, failure, failedResult));
        }
        catch (Exception)
        {
            delay = default;
            return false; // a broken DelayHint or OnRetry must not replace the operation's outcome: it stands
        }

        previousDelay = delay;
        _metrics.Retry(Name);
        TraceEvents.Retry(Name, attempt, delay, failure, _breaker.TimeProvider);
        return true;
    }

    /// <summary><see cref="RetryOptions.ShouldRetryException"/>, where a throw counts as "do not retry".</summary>
    private bool RetriesException(Exception failure)
    {
        if (failure is CircuitOpenException or AdmissionRejectedException)
        {
            return false; // an inner breaker's or limiter's rejection: retrying would only ask it again
        }

        if (_retry.ShouldRetryException is not { } predicate)
        {
            return true;
        }

        try
        {
            return predicate(failure);
        }
        catch (Exception)
        {
            return false; // as a throwing C# exception filter counts as false: the operation's exception propagates
        }
    }

    /// <summary><see cref="RetryOptions.ShouldRetryResult"/>, where a throw counts as "do not retry".</summary>
    private ValueTask<bool> RetriesResultAsync<TResult>(TResult result, CancellationToken cancellationToken) =>
        _retry.ShouldRetryResult is { } predicate ? AsksAsync(predicate, result, whenItThrows: false, cancellationToken) : new ValueTask<bool>(false);

    /// <summary>How the sequence's final result counts: by the breaker's own <see cref="CircuitBreakerOptions.ShouldHandleResult"/>
    /// (a throw counts as a failure), then by <see cref="ResilientCallerOptions.ShouldHandleResult"/>, where a throw
    /// counts as a failure too: a caller that cannot tell must not report health. The result still reaches the caller.
    /// Ignored when the caller cancelled while an asynchronous clause ran.</summary>
    private async ValueTask<Completion> ClassifyResultAsync<TResult>(TResult result, CancellationToken cancellationToken)
    {
        var byBreaker = await _breaker.ClassifyAsync(result, cancellationToken).ConfigureAwait(false);
        if (byBreaker != Completion.Success || _shouldHandleResult is not { } predicate)
        {
            return byBreaker;
        }

        return await AsksAsync(predicate, result, whenItThrows: true, cancellationToken).ConfigureAwait(false) ? Completion.Failure : Completion.Success;
    }

    private static async ValueTask<bool> AsksAsync<TResult>(ResultPredicate predicate, TResult result, bool whenItThrows, CancellationToken cancellationToken)
    {
        try
        {
            return await predicate.ShouldHandleAsync(result, cancellationToken).ConfigureAwait(false); // synchronous clauses complete at once
        }
        catch (Exception)
        {
            return whenItThrows;
        }
    }

    /// <summary>Reports the sequence's outcome on the permit; true when it is a failure (for the fallback). A failing
    /// result is reported with the result, so the breaker keeps it as the last failure (e.g. "HTTP 503"); an overloaded
    /// one (the breaker's <see cref="AdaptiveThrottlingOptions.IsOverloadResult"/>, or a failure the caller's
    /// <see cref="ResilientCallerOptions.IsOverloadResult"/> matches) as an overload, and so is an exception
    /// <see cref="ResilientCallerOptions.IsOverloadException"/> matches.</summary>
    private bool Report<TResult>(in CircuitPermit permit, Exception? failure, TResult result, Completion resultCompletion, CancellationToken cancellationToken)
    {
        if (failure is not null)
        {
            if (IsOverloaded(failure))
            {
                permit.RecordOverload(failure);
            }
            else
            {
                permit.RecordException(failure, cancellationToken);
            }

            return true;
        }

        switch (resultCompletion)
        {
            case Completion.Failure when !IsOverloaded(result):
                permit.RecordFailedResult(result);
                return true;
            case Completion.Failure or Completion.Overloaded:
                permit.RecordOverloadedResult(result);
                return true;
            case Completion.Success:
                permit.RecordSuccess();
                return false;
            default:
                permit.Release();
                return false;
        }
    }

    /// <summary>
    /// The caller cancelled. Its cancellation says nothing about the dependency, but what the dependency did before
    /// it does: after <paramref name="failedAttempts"/> ≥ 1 the last failed attempt's outcome is recorded as if the
    /// sequence had ended there; otherwise the permit is released. Returns true (the permit took an outcome).
    /// </summary>
    private bool ReportAbandoned<TResult>(in CircuitPermit permit, int failedAttempts, Exception? failure, TResult result, bool retryableResult)
    {
        if (failedAttempts == 0)
        {
            permit.Release();
        }
        else
        {
            // Classified without the caller's token: the failure was seen before the caller cancelled. An attempt
            // that returned a result was only followed by another because that result was worth retrying: a failure.
            Report(permit, failure, result, retryableResult ? Completion.Failure : Completion.Success, CancellationToken.None);
        }

        return true;
    }

    private CallTimeoutException TimedOut(TimeSpan limit, Exception cause, bool overall)
    {
        _metrics.Timeout(Name, overall);
        return new CallTimeoutException(limit, cause);
    }
}
