using System.Runtime.CompilerServices;

namespace Fusebox.Internal;

/// <summary>One clause of a <see cref="ResultPredicate"/>, over one result type, adaptable to the static result
/// type of a call (<see cref="ResultView{T}"/>).</summary>
internal abstract class ResultClause
{
    public abstract bool IsAsynchronous { get; }

    /// <summary>The clause as a test of results of static type <typeparamref name="T"/>; null when no such result can be one it applies to.</summary>
    public abstract ResultTest<T>? AdaptTo<T>();

    /// <summary>Whether a result of static type <typeparamref name="T"/> can hold a <typeparamref name="TClause"/>
    /// (other than being one exactly, handled without a type test). A reference type can hold anything a runtime type
    /// test decides; a value type only what it converts to by boxing (object, an interface it implements) or unwraps to.</summary>
    protected static bool CanHold<T, TClause>() =>
        !typeof(T).IsValueType || typeof(TClause).IsAssignableFrom(Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T));
}

/// <summary>A clause made with <see cref="ResultPredicate.Handle{TResult}"/> or <see cref="ResultPredicate.Or{TResult}"/>.</summary>
internal sealed class SyncClause<TClause>(Func<TClause, bool> predicate) : ResultClause
{
    public override bool IsAsynchronous => false;

    public override ResultTest<T>? AdaptTo<T>()
    {
        if (typeof(T) == typeof(TClause))
        {
            return new ResultTest<T>((Func<T, bool>)(object)predicate, null); // the user's delegate itself: no wrapper call
        }

        return CanHold<T, TClause>() ? new ResultTest<T>(r => r is TClause c && predicate(c), null) : null;
    }
}

/// <summary>A clause made with <see cref="ResultPredicate.HandleAsync{TResult}"/> or <see cref="ResultPredicate.OrAsync{TResult}"/>.</summary>
internal sealed class AsyncClause<TClause>(Func<TClause, CancellationToken, ValueTask<bool>> predicate) : ResultClause
{
    public override bool IsAsynchronous => true;

    public override ResultTest<T>? AdaptTo<T>()
    {
        if (typeof(T) == typeof(TClause))
        {
            return new ResultTest<T>(null, (Func<T, CancellationToken, ValueTask<bool>>)(object)predicate);
        }

        return CanHold<T, TClause>()
            ? new ResultTest<T>(null, (r, ct) => r is TClause c ? predicate(c, ct) : new ValueTask<bool>(false))
            : null;
    }
}

/// <summary>A clause adapted to results of static type <typeparamref name="T"/>: exactly one of the two is set.</summary>
internal sealed record ResultTest<T>(Func<T, bool>? Sync, Func<T, CancellationToken, ValueTask<bool>>? Async);

/// <summary>A predicate's clauses adapted to results of static type <typeparamref name="T"/>, in their order.</summary>
internal sealed class ResultView<T>
{
    private readonly ResultTest<T>[] _tests;
    private readonly Func<T, bool>? _single; // the common case: one synchronous clause that applies

    public ResultView(ResultClause[] clauses)
    {
        var tests = new List<ResultTest<T>>(clauses.Length);
        foreach (var clause in clauses)
        {
            if (clause.AdaptTo<T>() is { } test)
            {
                tests.Add(test);
            }
        }

        _tests = [.. tests];
        _single = _tests is [{ Sync: { } only }] ? only : null;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Evaluate(T result) => _single is { } test ? test(result) : EvaluateEach(result);

    private bool EvaluateEach(T result)
    {
        foreach (var test in _tests)
        {
            if (test.Sync is { } sync ? sync(result) : Wait(test.Async!(result, CancellationToken.None)))
            {
                return true;
            }
        }

        return false;
    }

    public ValueTask<bool> EvaluateAsync(T result, CancellationToken cancellationToken)
    {
        if (_single is { } test)
        {
            return new ValueTask<bool>(test(result));
        }

        for (int i = 0; i < _tests.Length; i++)
        {
            if (_tests[i].Sync is { } sync)
            {
                if (sync(result))
                {
                    return new ValueTask<bool>(true);
                }

                continue;
            }

            var pending = _tests[i].Async!(result, cancellationToken);
            if (!pending.IsCompletedSuccessfully)
            {
                return ContinueAsync(pending, i, result, cancellationToken);
            }

            if (pending.Result)
            {
                return new ValueTask<bool>(true);
            }
        }

        return new ValueTask<bool>(false);
    }

    /// <summary>The rest of <see cref="EvaluateAsync"/> once clause <paramref name="index"/> did not complete at once.</summary>
    private async ValueTask<bool> ContinueAsync(ValueTask<bool> pending, int index, T result, CancellationToken cancellationToken)
    {
        if (await pending.ConfigureAwait(false))
        {
            return true;
        }

        for (int i = index + 1; i < _tests.Length; i++)
        {
            var test = _tests[i];
            if (test.Sync is { } sync ? sync(result) : await test.Async!(result, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Wait(ValueTask<bool> pending) =>
        pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
}
