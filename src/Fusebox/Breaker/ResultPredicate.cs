using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Fusebox.Internal;

namespace Fusebox;

/// <summary>
/// Which results of a call count (as failures for a breaker, or as worth another attempt for a retry): typed
/// clauses, each over one result type, synchronous or asynchronous. Immutable and thread-safe; build it once.
/// </summary>
/// <remarks>
/// <para>A breaker is not generic: one breaker guards calls of any result type. So a predicate is a list of
/// clauses, and a result is handled when any clause that applies to it returns true (the clauses are asked in the
/// order they were added, and the first true decides). A clause over <c>TClause</c> applies to a result whose static
/// type is <c>TClause</c> (a null result included), or whose value is a <c>TClause</c>: a clause over
/// <see cref="HttpResponseMessage"/> sees the responses of <c>Execute&lt;HttpResponseMessage&gt;</c> and of
/// <c>Execute&lt;object&gt;</c> alike, and never sees an <see cref="int"/>.</para>
/// <para>A value-type result is passed to a clause over its own type without boxing; it is boxed only for a clause
/// over <see cref="object"/> or an interface it implements.</para>
/// <para>Asynchronous clauses (<see cref="HandleAsync{TResult}"/>) are awaited by the asynchronous call styles and get
/// the call's <see cref="CancellationToken"/>; a breaker with one admits closed calls through its permit path, which
/// costs a few nanoseconds more. The synchronous call styles (<c>Execute</c>, <c>TryExecute</c>,
/// <see cref="CircuitPermit.RecordResult{TResult}"/>) wait for them on the calling thread with
/// <see cref="CancellationToken.None"/>: prefer synchronous clauses there.</para>
/// </remarks>
/// <example>
/// <code>
/// options.ShouldHandleResult = ResultPredicate
///     .Handle&lt;HttpResponseMessage&gt;(r => (int)r.StatusCode >= 500)
///     .Or&lt;int&gt;(code => code &lt; 0);
/// </code>
/// </example>
public sealed class ResultPredicate
{
    private readonly ResultClause[] _clauses;

    // The clauses adapted to one result type (ResultView<T>), built on first use per type. The last one used is kept
    // in a field of its own: nearly every breaker sees one result type, so nearly every call reads one field and
    // makes one type check. A racing writer only replaces it with another complete view; any view is correct.
    private readonly ConcurrentDictionary<Type, object> _views = new();
    private object? _lastView;

    private ResultPredicate(ResultClause[] clauses)
    {
        _clauses = clauses;
        foreach (var clause in clauses)
        {
            IsAsynchronous |= clause.IsAsynchronous;
        }
    }

    /// <summary>True when a clause is asynchronous (made with <see cref="HandleAsync{TResult}"/> or <see cref="OrAsync{TResult}"/>).</summary>
    public bool IsAsynchronous { get; }

    /// <summary>A predicate with one synchronous clause over <typeparamref name="TResult"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="predicate"/> is null.</exception>
    public static ResultPredicate Handle<TResult>(Func<TResult, bool> predicate) =>
        new([new SyncClause<TResult>(predicate ?? throw new ArgumentNullException(nameof(predicate)))]);

    /// <summary>A predicate with one asynchronous clause over <typeparamref name="TResult"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="predicate"/> is null.</exception>
    public static ResultPredicate HandleAsync<TResult>(Func<TResult, CancellationToken, ValueTask<bool>> predicate) =>
        new([new AsyncClause<TResult>(predicate ?? throw new ArgumentNullException(nameof(predicate)))]);

    /// <summary>This predicate with one more synchronous clause over <typeparamref name="TResult"/> (this one is unchanged).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="predicate"/> is null.</exception>
    public ResultPredicate Or<TResult>(Func<TResult, bool> predicate) =>
        new([.. _clauses, new SyncClause<TResult>(predicate ?? throw new ArgumentNullException(nameof(predicate)))]);

    /// <summary>This predicate with one more asynchronous clause over <typeparamref name="TResult"/> (this one is unchanged).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="predicate"/> is null.</exception>
    public ResultPredicate OrAsync<TResult>(Func<TResult, CancellationToken, ValueTask<bool>> predicate) =>
        new([.. _clauses, new AsyncClause<TResult>(predicate ?? throw new ArgumentNullException(nameof(predicate)))]);

    /// <summary>Whether <paramref name="result"/> is handled, waiting for asynchronous clauses on this thread.</summary>
    /// <remarks>A clause's exception propagates; the breaker and the retries catch it (see their options).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool ShouldHandle<TResult>(TResult result) => ViewFor<TResult>().Evaluate(result);

    /// <summary>Whether <paramref name="result"/> is handled, awaiting asynchronous clauses.</summary>
    /// <param name="result">The call's result.</param>
    /// <param name="cancellationToken">Passed to the asynchronous clauses.</param>
    /// <remarks>A clause's exception propagates; the breaker and the retries catch it (see their options).</remarks>
    public ValueTask<bool> ShouldHandleAsync<TResult>(TResult result, CancellationToken cancellationToken = default) =>
        ViewFor<TResult>().EvaluateAsync(result, cancellationToken);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ResultView<TResult> ViewFor<TResult>() => Volatile.Read(ref _lastView) as ResultView<TResult> ?? ViewForSlow<TResult>();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ResultView<TResult> ViewForSlow<TResult>()
    {
        var view = (ResultView<TResult>)_views.GetOrAdd(typeof(TResult), static (_, clauses) => new ResultView<TResult>(clauses), _clauses);
        Volatile.Write(ref _lastView, view);
        return view;
    }
}
