namespace Fusebox.Extensions;

/// <summary>
/// The keys of a breaker entry (<c>Defaults</c> or <c>Breakers:{name}</c>) and how each is read into
/// <see cref="BreakerConfiguration"/>. Written out rather than found by reflection so that reading stays trim- and
/// AOT-safe; a test checks that every public property of <see cref="BreakerConfiguration"/> has its key here.
/// </summary>
internal static class BreakerConfigurationKeys
{
    // A value that is empty or does not convert reads as null: the property keeps what it had (e.g. set in code).
    private static readonly (string Key, Action<BreakerConfiguration, ConfigurationValue> Read)[] s_keys =
    [
        (nameof(BreakerConfiguration.TripPolicy), (c, v) => c.TripPolicy = v.String() ?? c.TripPolicy),
        (nameof(BreakerConfiguration.FailureThreshold), (c, v) => c.FailureThreshold = v.Int32() ?? c.FailureThreshold),
        (nameof(BreakerConfiguration.FailureRateThreshold), (c, v) => c.FailureRateThreshold = v.Double() ?? c.FailureRateThreshold),
        (nameof(BreakerConfiguration.SlowCallRateThreshold), (c, v) => c.SlowCallRateThreshold = v.Double() ?? c.SlowCallRateThreshold),
        (nameof(BreakerConfiguration.WindowSize), (c, v) => c.WindowSize = v.Int32() ?? c.WindowSize),
        (nameof(BreakerConfiguration.WindowDuration), (c, v) => c.WindowDuration = v.Duration() ?? c.WindowDuration),
        (nameof(BreakerConfiguration.Buckets), (c, v) => c.Buckets = v.Int32() ?? c.Buckets),
        (nameof(BreakerConfiguration.MinimumCalls), (c, v) => c.MinimumCalls = v.Int32() ?? c.MinimumCalls),
        (nameof(BreakerConfiguration.BreakDuration), (c, v) => c.BreakDuration = v.Duration() ?? c.BreakDuration),
        (nameof(BreakerConfiguration.BreakDurationBackoff), (c, v) => c.BreakDurationBackoff = v.Double() ?? c.BreakDurationBackoff),
        (nameof(BreakerConfiguration.MaxBreakDuration), (c, v) => c.MaxBreakDuration = v.Duration() ?? c.MaxBreakDuration),
        (nameof(BreakerConfiguration.BreakDurationJitter), (c, v) => c.BreakDurationJitter = v.Double() ?? c.BreakDurationJitter),
        (nameof(BreakerConfiguration.HalfOpenPermits), (c, v) => c.HalfOpenPermits = v.Int32() ?? c.HalfOpenPermits),
        (nameof(BreakerConfiguration.SuccessesToClose), (c, v) => c.SuccessesToClose = v.Int32() ?? c.SuccessesToClose),
        (nameof(BreakerConfiguration.ProbeTimeout), (c, v) => c.ProbeTimeout = v.Duration() ?? c.ProbeTimeout),
        (nameof(BreakerConfiguration.SlowCallThreshold), (c, v) => c.SlowCallThreshold = v.Duration() ?? c.SlowCallThreshold),
        (nameof(BreakerConfiguration.CollectStatistics), (c, v) => c.CollectStatistics = v.Boolean() ?? c.CollectStatistics),
        (nameof(BreakerConfiguration.ShadowMode), (c, v) => c.ShadowMode = v.Boolean() ?? c.ShadowMode),
        (nameof(BreakerConfiguration.Critical), (c, v) => c.Critical = v.Boolean() ?? c.Critical),
    ];

    private static readonly Dictionary<string, Action<BreakerConfiguration, ConfigurationValue>> s_byKey =
        s_keys.ToDictionary(k => k.Key, k => k.Read, StringComparer.OrdinalIgnoreCase);

    /// <summary>The keys in documentation order.</summary>
    public static IReadOnlyList<string> Keys { get; } = [.. s_keys.Select(k => k.Key)];

    /// <summary>Reads <paramref name="value"/> into <paramref name="configuration"/> if <paramref name="key"/> is a
    /// breaker setting (ignoring case, like configuration keys); false for an unknown key.</summary>
    public static bool TryRead(string key, BreakerConfiguration configuration, ConfigurationValue value)
    {
        if (!s_byKey.TryGetValue(key, out var read))
        {
            return false;
        }

        read(configuration, value);
        return true;
    }
}
