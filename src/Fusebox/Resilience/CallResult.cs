namespace Fusebox;

/// <summary>The result of a <see cref="ResilientCaller"/> call: the value, whether a fallback produced it and why,
/// and how many attempts were made.</summary>
/// <typeparam name="T">The operation's result type.</typeparam>
public readonly record struct CallResult<T>
{
    internal CallResult(T value, int attempts, FallbackReason fallbackReason, Exception? replacedException)
    {
        Value = value;
        Attempts = attempts;
        FallbackReason = fallbackReason;
        ReplacedException = replacedException;
    }

    /// <summary>The operation's value, or the fallback's.</summary>
    public T Value { get; }

    /// <summary>Attempts made (0 when the breaker rejected the call).</summary>
    public int Attempts { get; }

    /// <summary>Why the fallback was used, or <see cref="Fusebox.FallbackReason.None"/>.</summary>
    public FallbackReason FallbackReason { get; }

    /// <summary>True when <see cref="Value"/> came from the fallback (the seed's "flag for manual review").</summary>
    public bool UsedFallback => FallbackReason != FallbackReason.None;

    /// <summary>The exception the fallback replaced, when the operation failed by throwing; kept, never swallowed.</summary>
    public Exception? ReplacedException { get; }
}
