using Polly;

namespace Fusebox.Polly;

/// <summary>The strategy of a non-generic pipeline: every call, of any result type, goes straight through the adapter
/// (no bridge converting outcomes to <see cref="object"/> unless the predicate or an event needs one).</summary>
internal sealed class FuseboxStrategy(BreakerAdapter<object> adapter) : ResilienceStrategy
{
    protected override ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, ResilienceContext context, TState state) =>
        adapter.ExecuteAsync(callback, context, state);
}

/// <summary>The strategy of a pipeline of <typeparamref name="T"/> results.</summary>
internal sealed class FuseboxStrategy<T>(BreakerAdapter<T> adapter) : ResilienceStrategy<T>
{
    protected override ValueTask<Outcome<T>> ExecuteCore<TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback, ResilienceContext context, TState state) =>
        adapter.ExecuteAsync(callback, context, state);
}
