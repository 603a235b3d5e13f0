namespace Fusebox;

/// <summary>How the delay between attempts grows.</summary>
public enum BackoffKind
{
    /// <summary>Every retry waits <see cref="RetryOptions.BaseDelay"/>.</summary>
    Constant,

    /// <summary>The n-th retry waits n × <see cref="RetryOptions.BaseDelay"/>.</summary>
    Linear,

    /// <summary>The n-th retry waits 2^(n-1) × <see cref="RetryOptions.BaseDelay"/>.</summary>
    Exponential,
}

/// <summary>How randomness spreads the delays, so that many clients do not retry in lockstep.</summary>
public enum JitterKind
{
    /// <summary>The computed delay exactly.</summary>
    None,

    /// <summary>A uniform random delay between 0 and the computed delay ("full jitter").</summary>
    Full,

    /// <summary>AWS "decorrelated jitter": a uniform random delay between the base delay and three times the previous
    /// delay, capped; the backoff kind is then not used.</summary>
    Decorrelated,
}
