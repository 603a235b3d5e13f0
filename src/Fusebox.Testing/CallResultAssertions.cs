namespace Fusebox.Testing;

/// <summary>
/// Assertions on what a <see cref="ResilientCaller"/> returned: whether its value came from the operation or from the
/// fallback, and why. Each returns the value, so a test can go on asserting on it.
/// </summary>
public static class CallResultAssertions
{
    /// <summary>Asserts that the fallback produced the value, for whatever reason.</summary>
    /// <param name="result">The caller's result.</param>
    /// <returns>The fallback's value.</returns>
    /// <exception cref="BreakerAssertionException">The operation's own value was returned.</exception>
    public static T AssertFallbackUsed<T>(this CallResult<T> result)
    {
        if (!result.UsedFallback)
        {
            throw new BreakerAssertionException($"Expected the fallback to be used, but {Describe(result)}.");
        }

        return result.Value;
    }

    /// <summary>Asserts that the fallback produced the value for <paramref name="reason"/>: the breaker
    /// <see cref="FallbackReason.Rejected"/> the call, or the operation <see cref="FallbackReason.Failed"/> after its retries.</summary>
    /// <param name="result">The caller's result.</param>
    /// <param name="reason">The reason expected; not <see cref="FallbackReason.None"/> (use <see cref="AssertNoFallback"/>).</param>
    /// <returns>The fallback's value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reason"/> is not Rejected or Failed.</exception>
    /// <exception cref="BreakerAssertionException">The operation's own value was returned, or the fallback was used for the other reason.</exception>
    public static T AssertFallbackUsed<T>(this CallResult<T> result, FallbackReason reason)
    {
        if (reason is not (FallbackReason.Rejected or FallbackReason.Failed))
        {
            throw new ArgumentOutOfRangeException(nameof(reason), reason,
                $"AssertFallbackUsed's reason must be Rejected or Failed (was {reason}); use AssertNoFallback to assert that no fallback was used.");
        }

        if (result.FallbackReason != reason)
        {
            throw new BreakerAssertionException($"Expected the fallback to be used because the call was {Word(reason)}, but {Describe(result)}.");
        }

        return result.Value;
    }

    /// <summary>Asserts that the operation itself produced the value (no fallback).</summary>
    /// <param name="result">The caller's result.</param>
    /// <returns>The operation's value.</returns>
    /// <exception cref="BreakerAssertionException">The fallback produced the value.</exception>
    public static T AssertNoFallback<T>(this CallResult<T> result)
    {
        if (result.UsedFallback)
        {
            string message = $"Expected the operation's own value, but {Describe(result)}.";
            throw result.ReplacedException is { } replaced ? new BreakerAssertionException(message, replaced) : new BreakerAssertionException(message);
        }

        return result.Value;
    }

    private static string Describe<T>(CallResult<T> result) => result.FallbackReason switch
    {
        FallbackReason.None => $"the operation's own value ({result.Value}) was returned after {result.Attempts} attempt(s)",
        FallbackReason.Rejected => $"the fallback was used because the breaker rejected the call (value {result.Value})",
        _ => $"the fallback was used because the operation failed after {result.Attempts} attempt(s)"
            + (result.ReplacedException is { } ex ? $" with {ex.GetType().Name}: {ex.Message}" : " with a failing result")
            + $" (value {result.Value})",
    };

    private static string Word(FallbackReason reason) => reason == FallbackReason.Rejected ? "rejected by the breaker" : "failed";
}
