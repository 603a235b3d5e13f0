namespace Fusebox;

/// <summary>When a fallback replaces the outcome.</summary>
[Flags]
public enum FallbackTrigger
{
    /// <summary>When the breaker rejects the call (the seed's case: the breaker is open).</summary>
    Rejected = 1,

    /// <summary>When the operation finally fails, after its retries.</summary>
    Failed = 2,

    /// <summary>Both.</summary>
    RejectedOrFailed = Rejected | Failed,
}

/// <summary>Why a fallback was used.</summary>
public enum FallbackReason
{
    /// <summary>No fallback was used.</summary>
    None = 0,

    /// <summary>The breaker rejected the call.</summary>
    Rejected,

    /// <summary>The operation failed after its retries.</summary>
    Failed,
}

/// <summary>What a fallback function sees.</summary>
/// <param name="Reason">Rejected or failed.</param>
/// <param name="Exception">The final exception when the operation failed by throwing.</param>
/// <param name="RetryAfter">When rejected: how long until the breaker may admit a probe, if known.</param>
public readonly record struct FallbackContext(FallbackReason Reason, Exception? Exception, TimeSpan? RetryAfter);

/// <summary>
/// A substitute result: a value, or a function of what went wrong. Create it once and reuse it: it is immutable.
/// The seed's example is <c>Fallback&lt;bool&gt;.Value(true, FallbackTrigger.Rejected)</c> — allow the transaction,
/// flag it for manual review (<see cref="CallResult{T}.UsedFallback"/> tells the caller).
/// </summary>
/// <typeparam name="T">The operation's result type.</typeparam>
public sealed class Fallback<T>
{
    private readonly T? _value;
    private readonly Func<FallbackContext, CancellationToken, ValueTask<T>>? _factory;

    private Fallback(FallbackTrigger when, T? value, Func<FallbackContext, CancellationToken, ValueTask<T>>? factory)
    {
        if (when == 0 || (when & ~FallbackTrigger.RejectedOrFailed) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(when), when, "Fallback trigger must be Rejected, Failed or RejectedOrFailed.");
        }

        When = when;
        _value = value;
        _factory = factory;
    }

    /// <summary>When the fallback applies.</summary>
    public FallbackTrigger When { get; }

    /// <summary>A fixed substitute value.</summary>
    public static Fallback<T> Value(T value, FallbackTrigger when = FallbackTrigger.RejectedOrFailed) => new(when, value, null);

    /// <summary>A substitute computed from what went wrong. The factory runs after the breaker has been told the
    /// call's outcome; an exception it throws propagates to the caller (<see cref="FallbackContext.Exception"/> hands
    /// it the operation's exception, to wrap or translate).</summary>
    public static Fallback<T> From(Func<FallbackContext, CancellationToken, ValueTask<T>> factory, FallbackTrigger when = FallbackTrigger.RejectedOrFailed)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new(when, default, factory);
    }

    internal bool Handles(FallbackReason reason) =>
        reason == FallbackReason.Rejected ? (When & FallbackTrigger.Rejected) != 0 : (When & FallbackTrigger.Failed) != 0;

    internal ValueTask<T> GetAsync(FallbackContext context, CancellationToken cancellationToken) =>
        _factory is null ? new ValueTask<T>(_value!) : _factory(context, cancellationToken);
}
