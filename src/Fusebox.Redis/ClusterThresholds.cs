namespace Fusebox.Redis;

/// <summary>The cluster-wide trip thresholds of one breaker: explicit options first, else derived from its trip policy.</summary>
internal readonly record struct ClusterThresholds(double FailureRate, int MinimumCalls, TimeSpan Window, int QuorumMinReplicas, double QuorumFraction)
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(10);
    public const double DefaultFailureRate = 0.5;

    public static ClusterThresholds For(CircuitBreakerOptions breaker, RedisStateOptions options, SharingMode mode)
    {
        var policy = breaker.TripPolicy;
        double rate = options.FailureRateThreshold ?? policy switch
        {
            CountWindowPolicy { FailureRateThreshold: { } f } => f,
            TimeWindowPolicy { FailureRateThreshold: { } f } => f,
            _ => DefaultFailureRate,
        };
        int minimumCalls = options.MinimumCalls ?? policy switch
        {
            CountWindowPolicy c => c.MinimumCalls,
            TimeWindowPolicy t => t.MinimumCalls,
            ConsecutiveFailuresPolicy c => c.FailureThreshold,
            _ => 10,
        };
        var window = options.Window ?? (policy is TimeWindowPolicy tw ? Clamp(tw.Window) : DefaultWindow);
        return mode == SharingMode.Any
            ? new ClusterThresholds(rate, minimumCalls, window, 1, 0)
            : new ClusterThresholds(rate, minimumCalls, window, options.QuorumMinReplicas, options.QuorumFraction);
    }

    private static TimeSpan Clamp(TimeSpan window) =>
        window < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : window > TimeSpan.FromMinutes(10) ? TimeSpan.FromMinutes(10) : window;
}
