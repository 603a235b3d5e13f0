using Fusebox.Extensions;

namespace Fusebox.Http;

/// <summary>
/// The standard handler's breaker defaults (those of <c>AddStandardResilienceHandler()</c>: open at a 10 % failure rate
/// over 30 s once 100 calls were seen, for 5 s), written into <c>Fusebox:Breakers:{name}</c> where the configuration
/// says nothing. Going through the configuration rather than around it keeps one source of truth: the values are
/// validated with the rest on start, reapplied on every reload (a reload rebuilds the options), and anything the
/// application sets, for the name or in <c>Fusebox:Defaults</c>, wins.
/// </summary>
internal static class StandardBreakerDefaults
{
    public const double FailureRateThreshold = 0.1;
    public const int MinimumCalls = 100;
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(5);

    public static void Apply(FuseboxOptions options, string name)
    {
        if (!options.Breakers.TryGetValue(name, out var entry))
        {
            entry = new BreakerConfiguration();
            options.Breakers[name] = entry;
        }

        // The trip policy is one choice: any of its settings, for the name or for all, means the application made it.
        if (!ChoosesTripPolicy(entry) && !ChoosesTripPolicy(options.Defaults))
        {
            entry.TripPolicy = "FailureRate";
            entry.FailureRateThreshold = FailureRateThreshold;
            entry.WindowDuration = Window;
            entry.MinimumCalls = MinimumCalls;
        }

        if (entry.BreakDuration is null && options.Defaults.BreakDuration is null)
        {
            entry.BreakDuration = BreakDuration;
        }
    }

    private static bool ChoosesTripPolicy(BreakerConfiguration c) =>
        c.TripPolicy is not null || c.FailureThreshold is not null || c.FailureRateThreshold is not null || c.SlowCallRateThreshold is not null
        || c.WindowSize is not null || c.WindowDuration is not null || c.MinimumCalls is not null || c.Buckets is not null;
}
