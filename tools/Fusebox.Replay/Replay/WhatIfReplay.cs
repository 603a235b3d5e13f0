namespace Fusebox.Replay;

/// <summary>
/// What-if replay: runs a recorded outcome trace through breaker configurations and reports, for each, when it would
/// have opened, which calls it would have rejected and which failures it would have let through. Each configuration
/// gets a real <see cref="CircuitBreaker"/> driven by a clock that jumps from event to event (see docs/replay.md), so
/// the replay is the library's own behaviour, not a model of it, and a run takes milliseconds whatever the trace spans.
/// </summary>
public static class WhatIfReplay
{
    /// <summary>Replays <paramref name="trace"/> through each configuration, independently.</summary>
    /// <param name="trace">The recorded calls.</param>
    /// <param name="configurations">The configurations; names must be distinct.</param>
    /// <param name="jitterSeed">Seeds the break jitter of configurations with jitter and no jitter source of their own,
    /// so a replay is reproducible.</param>
    /// <exception cref="ArgumentException">Two configurations share a name, or none is given.</exception>
    public static ReplayReport Run(OutcomeTrace trace, IReadOnlyList<ReplayConfiguration> configurations, int jitterSeed = 1)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(configurations);
        if (configurations.Count == 0)
        {
            throw new ArgumentException("Give at least one configuration to replay.", nameof(configurations));
        }

        if (configurations.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new ArgumentException($"Two configurations are named '{twice.Key}'; give each --policy its own name=.", nameof(configurations));
        }

        var origin = trace.Origin ?? DateTimeOffset.UnixEpoch;
        var results = configurations.Select(c => new ConfigurationReplay(c, origin, jitterSeed).Run(trace)).ToList();
        return new ReplayReport(trace, results);
    }
}

/// <summary>The results of a replay, one per configuration in the order given.</summary>
/// <param name="Trace">The trace replayed.</param>
/// <param name="Results">One per configuration.</param>
public sealed record ReplayReport(OutcomeTrace Trace, IReadOnlyList<ConfigurationResult> Results);
