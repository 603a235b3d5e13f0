namespace Fusebox;

/// <summary>Computes retry delays: backoff, jitter and hints, always within [0, <see cref="RetryOptions.MaxDelay"/>].</summary>
public sealed class RetryDelays
{
    private readonly RetryOptions _options;
    private readonly Func<double> _random;

    /// <summary>Creates the calculator (the options are validated now).</summary>
    public RetryDelays(RetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _random = options.Random ?? System.Random.Shared.NextDouble;
    }

    /// <summary>The delay before retry number <paramref name="retry"/> (1 for the first retry).</summary>
    /// <param name="retry">1-based retry number.</param>
    /// <param name="previous">The previous delay (decorrelated jitter grows from it); zero before the first retry.</param>
    /// <param name="hint">A server's hint, which replaces the backoff (capped).</param>
    public TimeSpan Next(int retry, TimeSpan previous, TimeSpan? hint = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        double max = _options.MaxDelay.Ticks;
        if (hint is { } h)
        {
            return TimeSpan.FromTicks((long)Math.Clamp(h.Ticks, 0, max));
        }

        double baseTicks = _options.BaseDelay.Ticks;
        double ticks = _options.Jitter switch
        {
            // AWS: sleep = min(cap, random_between(base, sleep * 3)), starting from sleep = base.
            JitterKind.Decorrelated => Between(baseTicks, Math.Max(baseTicks, (previous.Ticks > 0 ? previous.Ticks : baseTicks) * 3)),
            JitterKind.Full => _random() * Backoff(retry, baseTicks, max),
            _ => Backoff(retry, baseTicks, max),
        };
        return TimeSpan.FromTicks((long)Math.Clamp(ticks, 0, max));
    }

    private double Backoff(int retry, double baseTicks, double max) => _options.Backoff switch
    {
        BackoffKind.Constant => baseTicks,
        BackoffKind.Linear => Math.Min(max, baseTicks * retry),
        _ => Math.Min(max, baseTicks * Math.Pow(2, Math.Min(retry - 1, 62))),
    };

    private double Between(double low, double high) => low + (_random() * (high - low));
}
