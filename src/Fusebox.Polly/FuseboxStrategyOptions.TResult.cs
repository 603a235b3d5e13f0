using Polly;
using Polly.CircuitBreaker;

namespace Fusebox.Polly;

/// <summary>
/// Options of a Fusebox circuit breaker in a Polly pipeline of results of type <typeparamref name="TResult"/>
/// (<see cref="FuseboxPipelineBuilderExtensions.AddFuseboxCircuitBreaker{TResult}(ResiliencePipelineBuilder{TResult}, FuseboxStrategyOptions{TResult})"/>).
/// The breaker itself is not part of the pipeline: it is looked up by name in <see cref="Registry"/> on every call, so its
/// state (open, its break, its window) survives Polly's pipeline reloads and disposal, and is the same breaker the
/// registry's reports, admin API and coordination see.
/// </summary>
/// <typeparam name="TResult">The pipeline's result type (what <see cref="ShouldHandle"/> and the events see).</typeparam>
public class FuseboxStrategyOptions<TResult> : ResilienceStrategyOptions
{
    /// <summary>The strategy name reported to Polly's telemetry when <see cref="ResilienceStrategyOptions.Name"/> is not set.</summary>
    internal const string DefaultName = "FuseboxCircuitBreaker";

    /// <summary>Creates options with the strategy name <c>FuseboxCircuitBreaker</c>.</summary>
    public FuseboxStrategyOptions() => Name = DefaultName;

    /// <summary>Where the breaker lives. Required. The strategy never disposes it, nor any breaker in it.</summary>
    public CircuitBreakerRegistry? Registry { get; set; }

    /// <summary>The breaker's name in <see cref="Registry"/>, for every call. Required unless <see cref="BreakerNameSelector"/>
    /// is set (not both).</summary>
    public string? BreakerName { get; set; }

    /// <summary>
    /// Picks the breaker for each call from its <see cref="ResilienceContext"/>, e.g. one per downstream authority
    /// (with Microsoft.Extensions.Http.Resilience: <c>ctx => ctx.GetRequestMessage()?.RequestUri?.Authority ?? "none"</c>).
    /// Must return a non-empty name and must not throw. When names come from requests, bound the registry
    /// (<see cref="CircuitBreakerRegistryOptions.MaxBreakers"/>): a call that would add a breaker to a full registry ends
    /// with the registry's <see cref="InvalidOperationException"/> and is not made. Set this or <see cref="BreakerName"/>.
    /// </summary>
    public Func<ResilienceContext, string>? BreakerNameSelector { get; set; }

    /// <summary>The options of a breaker the registry creates for a name it does not hold yet; null for the registry's own
    /// (<see cref="CircuitBreakerRegistryOptions.OptionsFor"/> or its defaults). A breaker that exists keeps its options.</summary>
    public CircuitBreakerOptions? BreakerOptions { get; set; }

    /// <summary>
    /// Which outcomes count as failures, in Polly's shape, so a Polly circuit breaker's predicate moves over as it is
    /// (a <see cref="PredicateBuilder{TResult}"/> converts to it). An outcome it returns false for counts as a success.
    /// Default null: the breaker's own rules decide (<see cref="CircuitBreakerOptions.ShouldHandleException"/>, by default
    /// every exception, and <see cref="CircuitBreakerOptions.ShouldHandleResult"/>, by default no result). Whatever this
    /// says, an <see cref="OperationCanceledException"/> while the caller's token is cancelled gives the permit back
    /// uncounted; a predicate that throws makes the call a failure and the caller still gets its outcome.
    /// </summary>
    public Func<CircuitBreakerPredicateArguments<TResult>, ValueTask<bool>>? ShouldHandle { get; set; }

    /// <summary>Which exception a rejected call ends with. Default <see cref="FuseboxRejection.BrokenCircuitException"/> (Polly's).</summary>
    public FuseboxRejection RejectWith { get; set; } = FuseboxRejection.BrokenCircuitException;

    /// <summary>Called after a call through this strategy opened the breaker (a trip or a failed probe), as Polly's
    /// <c>CircuitBreakerStrategyOptions.OnOpened</c>. Transitions made elsewhere (another pipeline, an operator, another
    /// replica) are not reported here: subscribe to <see cref="CircuitBreaker.StateChanged"/> for those.</summary>
    public Func<OnCircuitOpenedArguments<TResult>, ValueTask>? OnOpened { get; set; }

    /// <summary>Called after a call through this strategy closed the breaker (its probes succeeded).</summary>
    public Func<OnCircuitClosedArguments<TResult>, ValueTask>? OnClosed { get; set; }

    /// <summary>Called after a call through this strategy half-opened the breaker (the first call after the break), before the probe runs.</summary>
    public Func<OnCircuitHalfOpenedArguments, ValueTask>? OnHalfOpened { get; set; }

    /// <summary>Throws when an option is missing or out of range, naming it. Called by <c>AddFuseboxCircuitBreaker</c>.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        const string type = "FuseboxStrategyOptions";
        if (Registry is null)
        {
            throw new ArgumentException($"{type}.{nameof(Registry)} is required: the CircuitBreakerRegistry the breaker lives in.", nameof(Registry));
        }

        if (BreakerName is not null && BreakerNameSelector is not null)
        {
            throw new ArgumentException(
                $"{type}: set {nameof(BreakerName)} or {nameof(BreakerNameSelector)}, not both.", nameof(BreakerNameSelector));
        }

        if (BreakerNameSelector is null && string.IsNullOrWhiteSpace(BreakerName))
        {
            throw new ArgumentException(
                $"{type}.{nameof(BreakerName)} must be a non-empty name (was '{BreakerName}'), or set {nameof(BreakerNameSelector)}.",
                nameof(BreakerName));
        }

        if (!Enum.IsDefined(RejectWith))
        {
            throw new ArgumentOutOfRangeException(nameof(RejectWith), RejectWith,
                $"{type}.{nameof(RejectWith)} must be BrokenCircuitException or CircuitOpenException (was {(int)RejectWith}).");
        }

        BreakerOptions?.Validate();
    }
}
