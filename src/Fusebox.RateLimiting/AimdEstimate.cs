namespace Fusebox.RateLimiting;

/// <summary>AIMD's arithmetic, pure (Netflix concurrency-limits, <c>AIMDLimit</c>).</summary>
internal static class AimdEstimate
{
    /// <summary>The limit after one sample: a fixed fraction less on a drop; one more when the call found the limit at
    /// least half used (an idle application must not inflate it); unchanged otherwise.</summary>
    public static double NextLimit(double limit, bool dropped, int inflight, AdaptiveConcurrencyOptions options)
    {
        if (dropped)
        {
            return Math.Max(options.MinLimit, Math.Floor(limit * options.AimdBackoffRatio));
        }

        return inflight * 2 >= limit ? Math.Min(options.MaxLimit, limit + 1) : limit;
    }
}
