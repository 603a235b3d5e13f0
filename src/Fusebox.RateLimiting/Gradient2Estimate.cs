namespace Fusebox.RateLimiting;

/// <summary>
/// Gradient2's arithmetic, pure so that it can be tested without a clock or threads (Netflix concurrency-limits,
/// <c>Gradient2Limit</c> and <c>ExpAvgMeasurement</c>, same constants).
/// </summary>
internal static class Gradient2Estimate
{
    /// <summary>Samples averaged plainly before the long-term average turns exponential.</summary>
    public const int WarmUpSamples = 10;

    /// <summary>The long-term latency average after its <paramref name="n"/>-th sample (1-based): the plain mean of the
    /// first <see cref="WarmUpSamples"/>, then an exponential moving average with factor 2 / (window + 1).</summary>
    public static double NextLongRtt(double current, double sample, long n, int window) =>
        n <= WarmUpSamples ? current + ((sample - current) / n) : current + ((sample - current) * (2.0 / (window + 1)));

    /// <summary>When the long-term average is more than twice the latest sample, latency has come back down after a
    /// long spell of overload: the average is pulled down by 5 % at once instead of waiting for the smoothing.</summary>
    public static bool ShouldDecay(double longRtt, double shortRtt) => longRtt > 2 * shortRtt;

    /// <summary>The limit after one sample.</summary>
    /// <param name="limit">The current (fractional) limit.</param>
    /// <param name="longRtt">The long-term latency average, this sample included.</param>
    /// <param name="shortRtt">This sample's latency.</param>
    /// <param name="inflight">Calls in flight when this one was admitted, itself included.</param>
    /// <param name="options">The limiter's options.</param>
    public static double NextLimit(double limit, double longRtt, double shortRtt, int inflight, AdaptiveConcurrencyOptions options)
    {
        // An application that does not use half its limit says nothing about how much more the dependency can take.
        if (inflight < limit / 2)
        {
            return limit;
        }

        // The gradient is at most 1 (no queueing seen) and at least 0.5, so that one outlier cannot halve the limit.
        double gradient = shortRtt <= 0 ? 1 : Math.Clamp(options.RttTolerance * longRtt / shortRtt, 0.5, 1.0);
        double estimate = (limit * gradient) + options.QueueSize;
        double smoothed = (limit * (1 - options.Smoothing)) + (estimate * options.Smoothing);
        return Math.Clamp(smoothed, options.MinLimit, options.MaxLimit);
    }
}
