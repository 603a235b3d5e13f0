namespace Fusebox;

/// <summary>Cooperative timeouts: the operation receives a token that is cancelled when time is up.</summary>
public sealed class TimeoutOptions
{
    /// <summary>Each attempt's limit; null (default) for none. When it fires the attempt fails with
    /// <see cref="CallTimeoutException"/> (retryable). (0, 1 day].</summary>
    public TimeSpan? AttemptTimeout { get; set; }

    /// <summary>The whole sequence's limit, back-off waits included; null (default) for none. When it fires the call
    /// fails with <see cref="CallTimeoutException"/> and is not retried. (0, 1 day].</summary>
    public TimeSpan? OverallTimeout { get; set; }

    /// <summary>Throws when a value is out of range, naming the option and the allowed range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A timeout is out of range.</exception>
    public void Validate()
    {
        Check(AttemptTimeout, nameof(AttemptTimeout));
        Check(OverallTimeout, nameof(OverallTimeout));
    }

    /// <summary>Returns a shallow copy.</summary>
    public TimeoutOptions Clone() => (TimeoutOptions)MemberwiseClone();

    private static void Check(TimeSpan? value, string name)
    {
        if (value is { } v && (v <= TimeSpan.Zero || v > TimeSpan.FromDays(1)))
        {
            throw new ArgumentOutOfRangeException($"TimeoutOptions.{name}", v,
                $"TimeoutOptions.{name} must be greater than zero and at most 1.00:00:00 (was {v}).");
        }
    }
}
