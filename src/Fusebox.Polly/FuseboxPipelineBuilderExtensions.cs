using System.Diagnostics.CodeAnalysis;
using Polly;

namespace Fusebox.Polly;

/// <summary>Adds a Fusebox circuit breaker to a Polly v8 resilience pipeline.</summary>
public static class FuseboxPipelineBuilderExtensions
{
    // Polly's AddStrategy(..., options) validates options with DataAnnotations (hence RequiresUnreferencedCode). The
    // Fusebox options carry no validation attributes (they validate themselves, in Validate, when added), and their
    // members are kept by DynamicDependency anyway: the same suppression Polly's own AddCircuitBreaker makes.
    private const string TrimmingJustification = "FuseboxStrategyOptions declare no DataAnnotations attributes and their members are preserved.";

    /// <summary>
    /// Adds a Fusebox circuit breaker: every call takes a permit from the breaker named by the options in their
    /// <see cref="FuseboxStrategyOptions{TResult}.Registry"/>, is rejected while it is open (with Polly's
    /// <c>BrokenCircuitException</c> by default) and reports its outcome to it. The breaker's state lives in the
    /// registry, so it survives Polly's pipeline reloads; the strategy never disposes it.
    /// </summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="options">The options; validated now, read when the pipeline is built.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">An option is missing or out of range.</exception>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = TrimmingJustification)]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(FuseboxStrategyOptions))]
    public static ResiliencePipelineBuilder AddFuseboxCircuitBreaker(this ResiliencePipelineBuilder builder, FuseboxStrategyOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return builder.AddStrategy(context => new FuseboxStrategy(new BreakerAdapter<object>(options, context.Telemetry)), options);
    }

    /// <summary>
    /// Adds a Fusebox circuit breaker to a pipeline of <typeparamref name="TResult"/> results, as
    /// <see cref="AddFuseboxCircuitBreaker(ResiliencePipelineBuilder, FuseboxStrategyOptions)"/> does.
    /// </summary>
    /// <typeparam name="TResult">The pipeline's result type.</typeparam>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="options">The options; validated now, read when the pipeline is built.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">An option is missing or out of range.</exception>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = TrimmingJustification)]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(FuseboxStrategyOptions<>))]
    public static ResiliencePipelineBuilder<TResult> AddFuseboxCircuitBreaker<TResult>(
        this ResiliencePipelineBuilder<TResult> builder, FuseboxStrategyOptions<TResult> options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return builder.AddStrategy(context => new FuseboxStrategy<TResult>(new BreakerAdapter<TResult>(options, context.Telemetry)), options);
    }

    /// <summary>Adds the breaker named <paramref name="breakerName"/> in <paramref name="registry"/>, with the breaker's
    /// own rules for what counts as a failure.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="registry">Where the breaker lives.</param>
    /// <param name="breakerName">The breaker's name; not empty.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The registry is null or the name empty.</exception>
    public static ResiliencePipelineBuilder AddFuseboxCircuitBreaker(this ResiliencePipelineBuilder builder, CircuitBreakerRegistry registry, string breakerName) =>
        builder.AddFuseboxCircuitBreaker(new FuseboxStrategyOptions { Registry = registry, BreakerName = breakerName });

    /// <summary>Adds the breaker named <paramref name="breakerName"/> in <paramref name="registry"/> to a pipeline of
    /// <typeparamref name="TResult"/> results, with the breaker's own rules for what counts as a failure.</summary>
    /// <typeparam name="TResult">The pipeline's result type.</typeparam>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="registry">Where the breaker lives.</param>
    /// <param name="breakerName">The breaker's name; not empty.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The registry is null or the name empty.</exception>
    public static ResiliencePipelineBuilder<TResult> AddFuseboxCircuitBreaker<TResult>(
        this ResiliencePipelineBuilder<TResult> builder, CircuitBreakerRegistry registry, string breakerName) =>
        builder.AddFuseboxCircuitBreaker(new FuseboxStrategyOptions<TResult> { Registry = registry, BreakerName = breakerName });
}
