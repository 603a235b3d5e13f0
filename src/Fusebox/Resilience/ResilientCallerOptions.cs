namespace Fusebox;

/// <summary>What a <see cref="ResilientCaller"/> wraps around each call, inside its breaker.</summary>
public sealed class ResilientCallerOptions
{
    /// <summary>Retries; default 3 attempts with exponential backoff and full jitter. Set <c>MaxAttempts = 1</c> for none.</summary>
    public RetryOptions Retry { get; set; } = new();

    /// <summary>Timeouts; default none.</summary>
    public TimeoutOptions Timeout { get; set; } = new();

    /// <summary>Throws when a value is out of range, naming the option and the allowed range.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Retry, "ResilientCallerOptions.Retry");
        ArgumentNullException.ThrowIfNull(Timeout, "ResilientCallerOptions.Timeout");
        Retry.Validate();
        Timeout.Validate();
    }
}
