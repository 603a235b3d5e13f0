using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Fusebox.Internal;

namespace Fusebox;

/// <summary>
/// Composes, from outside to inside: fallback → breaker → retry (backoff, jitter, budget) → per-attempt timeout →
/// the operation. The breaker is outside the retries, as the seed says: retries outside would walk straight past an
/// open circuit, and the breaker must see the final result of all attempts — a whole failed sequence is one failure.
/// Thread-safe; create one per dependency and reuse it.
/// </summary>
/// <remarks>
/// <para>One permit, one outcome: every admitted call reports its permit exactly once, on every path.</para>
/// <list type="bullet">
/// <item>A half-open probe gets exactly one attempt: the breaker asked one call whether the dependency is back,
/// so a probe that needed retries must not close it, and a probe cannot outlive its slot by retrying.</item>
/// <item>Retries stop as soon as the breaker's generation moved on from the permit's (it opened, closed or was
/// reset meanwhile): the last failure stands.</item>
/// <item>A rejected call is never retried. The caller's own cancellation stops at once and is never retried; it
/// is not a failure, but a failure an earlier attempt already produced is recorded before the
/// <see cref="OperationCanceledException"/> propagates, so callers with short deadlines still trip the breaker.</item>
/// <item>A callback that throws never replaces the operation's outcome: a throwing retry callback
/// (<see cref="RetryOptions.ShouldRetryException"/>, <see cref="RetryOptions.ShouldRetryResult"/>,
/// <see cref="RetryOptions.DelayHint"/>, <see cref="RetryOptions.OnRetry"/>) ends the sequence at the attempt that
/// just failed, and a throwing <see cref="ResilientCallerOptions.ShouldHandleResult"/> counts as a failure, as a
/// throwing <see cref="CircuitBreakerOptions.ShouldHandleResult"/> does. A fallback factory runs after the permit was reported; its
/// exception is the substitute's outcome and propagates.</item>
/// </list>
/// </remarks>
public sealed partial class ResilientCaller
{
    private readonly CircuitBreaker _breaker;
    private readonly RetryOptions _retry;
    private readonly RetryDelays _delays;
    private readonly TimeSpan? _attemptTimeout;
    private readonly TimeSpan? _overallTimeout;
    private readonly ResilienceMetrics _metrics;
    private readonly ResultPredicate? _shouldHandleResult;
    private readonly CallAdmission? _admission;
    private readonly ResultPredicate? _isOverloadResult;
    private readonly Func<Exception, bool>? _isOverloadException;
    private readonly HedgingOptions? _hedging;

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
        _admission = options.Admission;
        _isOverloadResult = options.IsOverloadResult;
        _isOverloadException = options.IsOverloadException;
        _hedging = options.Hedging?.Clone();
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
    /// <exception cref="CircuitOpenException">The breaker rejected the call and no fallback handles rejections.</exception>
    /// <exception cref="AdmissionRejectedException">The admission stage refused the call and no fallback handles rejections.</exception>
    /// <exception cref="CallTimeoutException">The last attempt or the whole call timed out (and no fallback handles failures).</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled (after recording a failure an earlier attempt produced, if any).</exception>
    [OverloadResolutionPriority(1)] // an async lambda fits Task and ValueTask alike: prefer the cheaper one
    public async ValueTask<CallResult<TResult>> ExecuteAsync<TState, TResult>(Func<TState, CancellationToken, ValueTask<TResult>> operation,
        TState state, Fallback<TResult>? fallback = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_breaker.TryAcquireCore(out var permit, out var retryAfter, out var rejectedIn))
        {
            return await RejectedAsync(null, rejectedIn, retryAfter, fallback, cancellationToken).ConfigureAwait(false);
        }

        // The stage is asked after the breaker, so an open breaker rejects without touching it; a refusal releases the
        // permit unreported: load shedding says nothing about the dependency and must never trip the breaker.
        object? ticket = null;
        if (_admission is { } admission && !admission.TryEnter(out ticket, out var shedFor))
        {
            permit.Release();
            _metrics.Shed(Name);
            return await RejectedAsync(admission, default, shedFor, fallback, cancellationToken).ConfigureAwait(false);
        }

        if (_hedging is not null && !permit.IsProbe) // a probe gets exactly one attempt, hedged or not
        {
            return await ExecuteHedgedAsync(permit, ticket, operation, state, fallback, cancellationToken).ConfigureAwait(false);
        }

        // From here on the permit is reported exactly once: by Report (the sequence's outcome) or ReportAbandoned (the
        // caller cancelled), each setting `reported` only after the permit took the outcome; whatever else escapes
        // (an exception nobody foresaw) releases it in the finally, so a half-open slot is never held until ProbeTimeout.
        bool reported = false;
        PooledTimeout? overall = null;
        int attempt = 0;
        TResult result = default!;
        Exception? failure = null; // the last finished attempt's exception; null when it returned `result`
        bool retryableResult = false;
        bool failed;
        try
        {
            _retry.Budget?.Deposit();
            overall = _overallTimeout is { } overallLimit ? PooledTimeout.Rent(overallLimit, _breaker.TimeProvider, cancellationToken) : null;
            var sequenceToken = overall?.Token ?? cancellationToken;
            var previousDelay = TimeSpan.Zero;
            while (true)
            {
                if (attempt > 0 && _admission is { } stage && !stage.TryEnter(out ticket, out _))
                {
                    _metrics.Shed(Name); // a retry the stage refused is not sent: the last failure stands
                    break;
                }

                attempt++;
                _metrics.Attempt(Name);
                var exitAs = AdmissionOutcome.Failed;
                var attemptTimeout = _attemptTimeout is { } limit ? PooledTimeout.Rent(limit, _breaker.TimeProvider, sequenceToken) : null;
                try
                {
                    // `result` and `failure` change only when an attempt finishes: a cancelled attempt leaves the
                    // previous attempt's outcome in place for ReportAbandoned.
                    result = await operation(state, attemptTimeout?.Token ?? sequenceToken).ConfigureAwait(false);
                    failure = null;
                    exitAs = AdmissionOutcomeOf(result);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    exitAs = AdmissionOutcome.Ignored;
                    reported = ReportAbandoned(permit, attempt - 1, failure, result, retryableResult);
                    throw;
                }
                catch (OperationCanceledException ex) when (overall is { TimedOut: true })
                {
                    exitAs = AdmissionOutcome.Overloaded;
                    failure = TimedOut(_overallTimeout!.Value, ex, overall: true);
                }
                catch (OperationCanceledException ex) when (attemptTimeout is { TimedOut: true })
                {
                    exitAs = AdmissionOutcome.Overloaded;
                    failure = TimedOut(_attemptTimeout!.Value, ex, overall: false);
                }
                catch (Exception ex)
                {
                    failure = ex;
                    exitAs = AdmissionOutcomeOf(ex);
                }
                finally
                {
                    attemptTimeout?.Return();
                    ExitAdmission(ref ticket, exitAs);
                }

                retryableResult = failure is null && await RetriesResultAsync(result, cancellationToken).ConfigureAwait(false); // asked once per attempt
                // Stryker disable once all : any mutant of this condition puts `out var delay` under Stryker's mutant switch, where it is
                // not definitely assigned; the compile error would make Stryker drop every mutant of ExecuteAsync.
                if (!MayRetry(permit, attempt, failure, retryableResult, overall) || !TryPlanRetry(attempt, failure, result, ref previousDelay, out var delay))
                {
                    break;
                }

                if (delay > TimeSpan.Zero)
                {
                    try
                    {
                        await Task.Delay(delay, _breaker.TimeProvider, sequenceToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        reported = ReportAbandoned(permit, attempt, failure, result, retryableResult);
                        throw;
                    }
                    catch (OperationCanceledException ex)
                    {
                        failure = TimedOut(_overallTimeout!.Value, ex, overall: true);
                        break;
                    }

                    if (BreakerMovedOn(permit))
                    {
                        break; // it opened (or changed) during the back-off: the last failure stands
                    }
                }
            }

            // A result still worth retrying when the sequence ended (attempts or budget spent) is a failure too.
            var resultCompletion = failure is not null || retryableResult ? Completion.Failure : await ClassifyResultAsync(result, cancellationToken).ConfigureAwait(false);
            failed = Report(permit, failure, result, resultCompletion, cancellationToken);
            reported = true;
        }
        finally
        {
            if (!reported)
            {
                permit.Release();
            }

            ExitAdmission(ref ticket, AdmissionOutcome.Ignored); // only when something unforeseen escaped before the attempt
            overall?.Return();
        }

        return failed
            ? await FailedAsync(attempt, result, failure, fallback, cancellationToken).ConfigureAwait(false)
            : new CallResult<TResult>(result, attempt, FallbackReason.None, null);
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

    /// <summary>Runs a <see cref="Task{TResult}"/>-returning <paramref name="operation"/> with a state argument through fallback, breaker, retries and timeouts.</summary>
    public ValueTask<CallResult<TResult>> ExecuteAsync<TState, TResult>(Func<TState, CancellationToken, Task<TResult>> operation,
        TState state, Fallback<TResult>? fallback = null, CancellationToken cancellationToken = default) =>
        ExecuteAsync(static (s, ct) => new ValueTask<TResult>(s.Operation(s.State, ct)),
            (Operation: operation ?? throw new ArgumentNullException(nameof(operation)), State: state), fallback, cancellationToken);

    /// <summary>A call refused before any attempt, by the breaker (<paramref name="shedBy"/> null) or by the admission
    /// stage: the fallback for rejections, or the typed rejection. The exception is built only when thrown, so a
    /// rejection answered by a fallback allocates nothing here.</summary>
    private async ValueTask<CallResult<TResult>> RejectedAsync<TResult>(CallAdmission? shedBy, BreakerState rejectedIn, TimeSpan? retryAfter,
        Fallback<TResult>? fallback, CancellationToken cancellationToken)
    {
        if (fallback is not null && fallback.Handles(FallbackReason.Rejected))
        {
            _metrics.Fallback(Name, FallbackReason.Rejected);
            TraceEvents.Fallback(Name, FallbackReason.Rejected, null, _breaker.TimeProvider);
            var substitute = await fallback.GetAsync(new FallbackContext(FallbackReason.Rejected, null, retryAfter), cancellationToken).ConfigureAwait(false);
            return new CallResult<TResult>(substitute, 0, FallbackReason.Rejected, null);
        }

        throw shedBy is null
            ? new CircuitOpenException(Name, rejectedIn, retryAfter)
            : new AdmissionRejectedException(Name, shedBy.Name, retryAfter);
    }

    /// <summary>Ends the attempt's admission ticket, once: the ticket is cleared so no later path exits it again.</summary>
    private void ExitAdmission(ref object? ticket, AdmissionOutcome outcome)
    {
        if (ticket is not null)
        {
            var held = ticket;
            ticket = null;
            _admission!.Exit(held, outcome);
        }
    }

    /// <summary>After the permit was reported: the fallback for a failure, or the operation's own exception, or its failing result.</summary>
    private async ValueTask<CallResult<TResult>> FailedAsync<TResult>(int attempts, TResult result, Exception? failure,
        Fallback<TResult>? fallback, CancellationToken cancellationToken)
    {
        if (fallback is not null && fallback.Handles(FallbackReason.Failed))
        {
            _metrics.Fallback(Name, FallbackReason.Failed);
            TraceEvents.Fallback(Name, FallbackReason.Failed, failure, _breaker.TimeProvider);
            var substitute = await fallback.GetAsync(new FallbackContext(FallbackReason.Failed, failure, null), cancellationToken).ConfigureAwait(false);
            return new CallResult<TResult>(substitute, attempts, FallbackReason.Failed, failure);
        }

        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure); // the operation's own exception, with its own stack trace
        }

        return new CallResult<TResult>(result, attempts, FallbackReason.None, null);
    }
}
