namespace Fusebox.Polly;

/// <summary>
/// Options of a Fusebox circuit breaker in a Polly pipeline of any result type
/// (<see cref="FuseboxPipelineBuilderExtensions.AddFuseboxCircuitBreaker(global::Polly.ResiliencePipelineBuilder, FuseboxStrategyOptions)"/>):
/// <see cref="FuseboxStrategyOptions{TResult}.ShouldHandle"/> and the events see every outcome as an <see cref="object"/>,
/// as with Polly's non-generic <c>CircuitBreakerStrategyOptions</c>.
/// </summary>
public class FuseboxStrategyOptions : FuseboxStrategyOptions<object>
{
}
