namespace Checkout.Scenario;

/// <summary>The timings every run of the scenario shares, scaled with its duration.</summary>
public sealed record ScenarioTimings
{
    public ScenarioTimings(ScenarioOptions options)
    {
        Hang = TimeSpan.FromSeconds(5 * options.Scale); // "timeouts of several seconds"
        BreakDuration = TimeSpan.FromSeconds(2 * options.Scale);
    }

    /// <summary>How long a fraud check hangs in the timeout phase.</summary>
    public TimeSpan Hang { get; }

    /// <summary>
    /// The payment service's patience, the same in every run: 100 ms is ~30x a healthy fraud check. No breaker can
    /// learn of an outage before its first timeout, so every checkout started in that first window waits in every
    /// run; a longer timeout would make that window alone more than 1 % of the outage's checkouts.
    /// </summary>
    public TimeSpan Timeout { get; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The first break; it doubles on each failed probe up to four times this.</summary>
    public TimeSpan BreakDuration { get; }

    public TimeSpan MaxBreakDuration => BreakDuration * 4;
}
