using System.Runtime.CompilerServices;
using Polly;
using Polly.CircuitBreaker;
using Polly.Telemetry;

namespace Fusebox.Polly;

/// <summary>
/// One call of a Polly pipeline through a Fusebox breaker: find the breaker, take a permit (or reject), run the rest
/// of the pipeline, classify its outcome and report it on the permit, telling Polly's telemetry about any transition
/// the call made. Shared by the generic and the non-generic strategy; <typeparamref name="T"/> is the result type the
/// predicate and the events see (the pipeline's, or <see cref="object"/> for a non-generic pipeline).
/// </summary>
/// <remarks>Holds no breaker: each call asks the registry, so the breaker follows the registry (a removed or evicted
/// breaker is replaced there and here alike) and outlives any pipeline. Nothing here is disposable.</remarks>
internal sealed class BreakerAdapter<T>
{
    private readonly CircuitBreakerRegistry _registry;
    private readonly string? _breakerName;
    private readonly Func<ResilienceContext, string>? _nameSelector;
    private readonly CircuitBreakerOptions? _breakerOptions;
    private readonly Func<CircuitBreakerPredicateArguments<T>, ValueTask<bool>>? _shouldHandle;
    private readonly Rejections _rejections;
    private readonly CircuitEvents<T> _events;

    // The breaker last subscribed to by TransitionCapture.Watch, so the common case (one name, or a run of calls to
    // the same one) skips the weak-table lookup. Written only after Watch returned: any breaker read here is watched.
    // Racing writers just replace each other's value; a breaker that is not the one here is watched again (a no-op).
    private CircuitBreaker? _lastWatched;

    public BreakerAdapter(FuseboxStrategyOptions<T> options, ResilienceStrategyTelemetry telemetry)
    {
        _registry = options.Registry!;
        _breakerName = options.BreakerName;
        _nameSelector = options.BreakerNameSelector;
        _breakerOptions = options.BreakerOptions?.Clone();
        _shouldHandle = options.ShouldHandle;
        _rejections = new Rejections(options.RejectWith, telemetry);
        _events = new CircuitEvents<T>(telemetry, options);
    }

    public async ValueTask<Outcome<TResult>> ExecuteAsync<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, ResilienceContext context, TState state)
    {
        CircuitBreaker breaker;
        try
        {
            breaker = Resolve(context);
        }
#pragma warning disable CA1031 // a Polly strategy returns its failures as outcomes (a full registry, a faulty selector)
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Outcome.FromException<TResult>(ex);
        }

        TransitionCapture.Arm(breaker);
        bool admitted = breaker.TryAcquire(out var permit, out var retryAfter);
        var halfOpened = TransitionCapture.Disarm();
        bool continueOnCapturedContext = context.ContinueOnCapturedContext;
        try
        {
            if (halfOpened is not null)
            {
                await _events.HalfOpenedAsync(halfOpened, context).ConfigureAwait(continueOnCapturedContext);
            }

            if (!admitted)
            {
                return Outcome.FromException<TResult>(_rejections.Create(breaker, retryAfter));
            }

            Outcome<TResult> outcome;
            try
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                outcome = await callback(context, state).ConfigureAwait(continueOnCapturedContext);
            }
#pragma warning disable CA1031 // as in Polly's own strategies: the callback's exception becomes the outcome
            catch (Exception ex)
#pragma warning restore CA1031
            {
                outcome = Outcome.FromException<TResult>(ex);
            }

            var change = await ReportAsync(permit, breaker, context, outcome).ConfigureAwait(continueOnCapturedContext);
            if (change is not null)
            {
                await _events.CompletedAsync(change, breaker, context, As<TResult>(outcome)).ConfigureAwait(continueOnCapturedContext);
            }

            return outcome;
        }
        finally
        {
            // Gives the permit back when nothing was reported (an event handler threw before the call ran): a probe slot
            // must never wait for ProbeTimeout because of an observer. After a report it does nothing.
            permit.Dispose();
        }
    }

    /// <summary>Reports the outcome on the permit; returns the transition that report made, if any.</summary>
    private async ValueTask<BreakerStateChangedEventArgs?> ReportAsync<TResult>(
        CircuitPermit permit, CircuitBreaker breaker, ResilienceContext context, Outcome<TResult> outcome)
    {
        var cancellation = context.CancellationToken;
        if (outcome.Exception is OperationCanceledException && cancellation.IsCancellationRequested)
        {
            permit.Release(); // the caller gave up: nothing was learnt about the dependency, and a probe slot is free again
            return null;
        }

        if (_shouldHandle is not { } handle)
        {
            return await ReportByBreakerRulesAsync(permit, breaker, outcome, cancellation).ConfigureAwait(context.ContinueOnCapturedContext);
        }

        bool failure;
        try
        {
            failure = await handle(new CircuitBreakerPredicateArguments<T>(context, As<TResult>(outcome))).ConfigureAwait(context.ContinueOnCapturedContext);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            permit.Release(); // the caller gave up while the predicate ran
            return null;
        }
#pragma warning disable CA1031 // as the core's predicates: a faulty predicate makes a failure, never replaces the outcome
        catch (Exception)
#pragma warning restore CA1031
        {
            failure = true;
        }

        TransitionCapture.Arm(breaker);
        if (failure)
        {
            permit.RecordFailure(outcome.Exception);
        }
        else
        {
            permit.RecordSuccess();
        }

        return TransitionCapture.Disarm();
    }

    /// <summary>No Polly predicate: the breaker's own ShouldHandleException and ShouldHandleResult classify.</summary>
    private static ValueTask<BreakerStateChangedEventArgs?> ReportByBreakerRulesAsync<TResult>(
        CircuitPermit permit, CircuitBreaker breaker, Outcome<TResult> outcome, CancellationToken cancellation)
    {
        TransitionCapture.Arm(breaker);
        if (outcome.Exception is { } exception)
        {
            permit.RecordException(exception, cancellation);
            return new ValueTask<BreakerStateChangedEventArgs?>(TransitionCapture.Disarm());
        }

        // Disarmed before awaiting: an asynchronous result clause completes on another thread (see TransitionCapture).
        var recording = permit.RecordResultAsync(outcome.Result, cancellation);
        var change = TransitionCapture.Disarm();
        return recording.IsCompletedSuccessfully ? new ValueTask<BreakerStateChangedEventArgs?>(change) : AwaitRecording(recording, change);

        static async ValueTask<BreakerStateChangedEventArgs?> AwaitRecording(ValueTask recording, BreakerStateChangedEventArgs? change)
        {
            await recording.ConfigureAwait(false);
            return change;
        }
    }

    private CircuitBreaker Resolve(ResilienceContext context)
    {
        string? name = _nameSelector is null ? _breakerName : _nameSelector(context);
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new InvalidOperationException(
                $"FuseboxStrategyOptions.BreakerNameSelector returned '{name}' for this call; it must return a non-empty breaker name.");
        }

        var breaker = _breakerOptions is null ? _registry.GetOrAdd(name) : _registry.GetOrAdd(name, _breakerOptions);
        if (!ReferenceEquals(breaker, Volatile.Read(ref _lastWatched)))
        {
            TransitionCapture.Watch(breaker);
            Volatile.Write(ref _lastWatched, breaker);
        }

        return breaker;
    }

    /// <summary>The outcome as the predicate and the events see it: itself in a generic pipeline, boxed to
    /// <see cref="object"/> in a non-generic one (as Polly's non-generic breaker sees it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Outcome<T> As<TResult>(Outcome<TResult> outcome)
    {
        if (typeof(TResult) == typeof(T))
        {
            return Unsafe.As<Outcome<TResult>, Outcome<T>>(ref outcome);
        }

        return outcome.Exception is { } exception ? Outcome.FromException<T>(exception) : Outcome.FromResult((T)(object?)outcome.Result!);
    }
}
