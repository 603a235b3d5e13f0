using System.Runtime.ExceptionServices;

namespace Fusebox;

/// <summary>
/// Hedged calls (gRPC A6, <see cref="ResilientCallerOptions.Hedging"/>). Unlike a retry sequence, which is one outcome
/// under one permit, hedged attempts run at the same time and each is a real request: each runs under its own breaker
/// permit and reports its own outcome exactly once, from the attempt itself, whether or not the call still waits for it.
/// </summary>
/// <remarks>
/// <para>The coordinator starts the first attempt, then the next whenever <see cref="HedgingOptions.Delay"/> passes
/// on the caller's <see cref="TimeProvider"/> since the latest start, or at once when an attempt fails retryably. A hedge
/// is sent only when the retry budget pays a token, the breaker admits it in the generation the call started in (not as
/// a probe) and the admission stage admits it; otherwise no further hedge is sent for this call.</para>
/// <para>The first attempt whose outcome the breaker counts as a success wins; a failure that is not retryable
/// (<see cref="RetryOptions.ShouldRetryException"/>, <see cref="RetryOptions.ShouldRetryResult"/>) ends the call at once
/// (A6's fatal status); when every attempt failed retryably the last failure stands, as in a retry sequence. Then the
/// others are cancelled through their token: one that stops with an <see cref="OperationCanceledException"/> releases
/// its permit unreported (a loser says nothing about the dependency), one that finishes anyway reports what it did, and
/// a result nobody will see is disposed when it is <see cref="IDisposable"/>.</para>
/// </remarks>
public sealed partial class ResilientCaller
{
    private async ValueTask<CallResult<TResult>> ExecuteHedgedAsync<TState, TResult>(CircuitPermit primary, object? ticket,
        Func<TState, CancellationToken, ValueTask<TResult>> operation, TState state, Fallback<TResult>? fallback, CancellationToken cancellationToken)
    {
        var hedging = _hedging!;
        var time = _breaker.TimeProvider;
        _retry.Budget?.Deposit();

        // Not pooled (unlike the retry path's timeouts): losers may still read these after the call returned.
        using var overall = _overallTimeout is { } limit ? new CancellationTokenSource(limit, time) : null;
        using var attempts = overall is null
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)
            : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, overall.Token);
        var scope = new HedgeScope(cancellationToken, overall, attempts.Token);
        var running = new List<Task<HedgeOutcome<TResult>>>(hedging.MaxHedgedAttempts + 1)
        {
            RunHedgeAsync(primary, ticket, operation, state, scope),
        };
        int started = 1;
        bool mayHedge = true;
        Task? timer = null;
        HedgeOutcome<TResult> last = default;
        try
        {
            while (true)
            {
                mayHedge &= started <= hedging.MaxHedgedAttempts;
                if (mayHedge && timer is null)
                {
                    timer = Task.Delay(hedging.Delay, time, attempts.Token);
                }

                var done = await Task.WhenAny(timer is null || !mayHedge ? running : [.. running, timer]).ConfigureAwait(false);
                if (done == timer)
                {
                    timer = null;
                    mayHedge = !done.IsCanceled && TryStartHedge(primary, operation, state, scope, running, ref started);
                    continue;
                }

                var finished = (Task<HedgeOutcome<TResult>>)done;
                running.Remove(finished);
                var outcome = await finished.ConfigureAwait(false);
                switch (outcome.Kind)
                {
                    case HedgeKind.Won:
                        Discard(last);
                        return new CallResult<TResult>(outcome.Result, started, FallbackReason.None, null);
                    case HedgeKind.Fatal:
                        Discard(last);
                        return await FailedAsync(started, outcome.Result, outcome.Failure, fallback, cancellationToken).ConfigureAwait(false);
                    case HedgeKind.Abandoned:
                        ExceptionDispatchInfo.Throw(outcome.Failure!); // the caller cancelled
                        break;
                }

                Discard(last);
                last = outcome; // a retryable failure (or a loser): the next hedge goes now, shortcutting its delay
                if (mayHedge)
                {
                    timer = null;
                    mayHedge = TryStartHedge(primary, operation, state, scope, running, ref started);
                }

                if (running.Count == 0)
                {
                    return await FailedAsync(started, last.Result, last.Failure, fallback, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            attempts.Cancel(); // the losers stop; each reports its own permit and exits its own ticket
            foreach (var loser in running)
            {
                _ = loser.ContinueWith(static (t, _) => Discard(t.Result), null, CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Sends one more hedge if the budget, the breaker and the admission stage all let it; false otherwise.</summary>
    private bool TryStartHedge<TState, TResult>(in CircuitPermit primary, Func<TState, CancellationToken, ValueTask<TResult>> operation, TState state,
        HedgeScope scope, List<Task<HedgeOutcome<TResult>>> running, ref int started)
    {
        if (scope.Attempts.IsCancellationRequested || started > _hedging!.MaxHedgedAttempts)
        {
            return false;
        }

        // The budget first: it is the common refusal in an outage, and asking it costs the breaker nothing.
        if (_retry.Budget is { } budget && !budget.TryWithdraw())
        {
            _metrics.BudgetExhausted(Name);
            return false;
        }

        if (!_breaker.TryAcquireCore(out var permit, out _, out _))
        {
            return false;
        }

        if (permit.IsProbe || permit.Generation != primary.Generation)
        {
            permit.Release(); // the breaker moved on since the call started: hedges stop, as retries do
            return false;
        }

        object? ticket = null;
        if (_admission is { } admission && !admission.TryEnter(out ticket, out _))
        {
            permit.Release();
            _metrics.Shed(Name);
            return false;
        }

        started++;
        _metrics.Hedge(Name);
        running.Add(RunHedgeAsync(permit, ticket, operation, state, scope));
        return true;
    }

    /// <summary>One hedged attempt, start to report: never throws, and reports its permit and exits its ticket exactly once.</summary>
    private async Task<HedgeOutcome<TResult>> RunHedgeAsync<TState, TResult>(CircuitPermit permit, object? ticket,
        Func<TState, CancellationToken, ValueTask<TResult>> operation, TState state, HedgeScope scope)
    {
        _metrics.Attempt(Name);
        bool reported = false;
        try
        {
            var (result, failure, exitAs) = await RunOneAsync(operation, state, scope).ConfigureAwait(false);
            ExitAdmission(ref ticket, exitAs);
            if (exitAs == AdmissionOutcome.Ignored)
            {
                permit.Release();
                reported = true;
                return new HedgeOutcome<TResult>(scope.Caller.IsCancellationRequested ? HedgeKind.Abandoned : HedgeKind.Retryable, default!, failure);
            }

            if (failure is not null)
            {
                Report(permit, failure, result, Completion.Failure, scope.Caller); // an overload, or classified by the breaker
                reported = true;
                return new HedgeOutcome<TResult>(RetriesException(failure) ? HedgeKind.Retryable : HedgeKind.Fatal, default!, failure);
            }

            bool retryable = await RetriesResultAsync(result, scope.Caller).ConfigureAwait(false);
            var completion = retryable ? Completion.Failure : await ClassifyResultAsync(result, scope.Caller).ConfigureAwait(false);
            bool failed = Report(permit, null, result, completion, scope.Caller);
            reported = true;
            return new HedgeOutcome<TResult>(retryable ? HedgeKind.Retryable : failed ? HedgeKind.Fatal : HedgeKind.Won, result, null);
        }
        catch (Exception ex)
        {
            return new HedgeOutcome<TResult>(HedgeKind.Fatal, default!, ex); // only what nobody foresaw: a stage's Exit that threw
        }
        finally
        {
            ExitAdmission(ref ticket, AdmissionOutcome.Ignored);
            if (!reported)
            {
                permit.Release();
            }
        }
    }

    /// <summary>The operation under the attempt's timeout; what it returned or threw, and how the admission stage hears it.</summary>
    private async ValueTask<(TResult Result, Exception? Failure, AdmissionOutcome ExitAs)> RunOneAsync<TState, TResult>(
        Func<TState, CancellationToken, ValueTask<TResult>> operation, TState state, HedgeScope scope)
    {
        var attemptTimeout = _attemptTimeout is { } limit ? Internal.PooledTimeout.Rent(limit, _breaker.TimeProvider, scope.Attempts) : null;
        try
        {
            var result = await operation(state, attemptTimeout?.Token ?? scope.Attempts).ConfigureAwait(false);
            return (result, null, AdmissionOutcomeOf(result));
        }
        catch (OperationCanceledException ex) when (scope.Caller.IsCancellationRequested)
        {
            return (default!, ex, AdmissionOutcome.Ignored);
        }
        catch (OperationCanceledException ex) when (scope.Overall is { IsCancellationRequested: true })
        {
            return (default!, TimedOut(_overallTimeout!.Value, ex, overall: true), AdmissionOutcome.Overloaded);
        }
        catch (OperationCanceledException ex) when (attemptTimeout is { TimedOut: true })
        {
            return (default!, TimedOut(_attemptTimeout!.Value, ex, overall: false), AdmissionOutcome.Overloaded);
        }
        catch (OperationCanceledException ex) when (scope.Attempts.IsCancellationRequested)
        {
            return (default!, ex, AdmissionOutcome.Ignored); // a loser, cancelled because another attempt decided the call
        }
        catch (Exception ex)
        {
            return (default!, ex, AdmissionOutcomeOf(ex));
        }
        finally
        {
            attemptTimeout?.Return();
        }
    }

    /// <summary>A result the caller will never see: disposed when it can be (an <c>HttpResponseMessage</c> holds a connection).</summary>
    private static void Discard<TResult>(in HedgeOutcome<TResult> outcome)
    {
        if (outcome.Result is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    /// <summary>The tokens every attempt of one hedged call shares.</summary>
    private sealed record HedgeScope(CancellationToken Caller, CancellationTokenSource? Overall, CancellationToken Attempts);

    private enum HedgeKind : byte
    {
        /// <summary>A retryable failure, or an attempt cancelled as a loser: it decides nothing.</summary>
        Retryable,
        Won,
        Fatal,
        Abandoned,
    }

    private readonly record struct HedgeOutcome<TResult>(HedgeKind Kind, TResult Result, Exception? Failure);
}
