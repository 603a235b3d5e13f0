namespace Fusebox.RateLimiting;

/// <summary>How an <see cref="AdaptiveConcurrencyLimiter"/> moves its limit.</summary>
public enum ConcurrencyAlgorithm
{
    /// <summary>
    /// Netflix concurrency-limits' Gradient2: the limit follows the ratio of a long-term average latency to the latest
    /// sample (with a tolerance), plus a little queueing headroom, smoothed. It backs off when latency rises, before
    /// anything fails.
    /// </summary>
    Gradient2 = 0,

    /// <summary>Additive increase, multiplicative decrease: one more slot per well-used success, a fixed fraction less
    /// on a drop (a call marked dropped, or slower than <see cref="AdaptiveConcurrencyOptions.AimdTimeout"/>).</summary>
    Aimd,
}
