using Fusebox;

namespace Checkout.Scenario;

/// <summary>When a replica's breaker stopped calling the dead fraud service, read from its timeline.</summary>
internal static class OutageStop
{
    /// <summary>Seconds after the outage began until the breaker first left Closed, 0 when it was not Closed as the
    /// outage began (a loaded machine's timeouts can trip it just before), or null when it never left Closed.</summary>
    public static double? After(IReadOnlyList<TimelineEntry> timeline, double outageStart, double outageEnd)
    {
        string closed = StateNames.Of(BreakerState.Closed);
        if (timeline.LastOrDefault(e => e.AtSeconds < outageStart) is { } before && before.State != closed)
        {
            return 0;
        }

        return timeline.FirstOrDefault(e => e.AtSeconds >= outageStart && e.AtSeconds < outageEnd && e.State != closed) is { } stop
            ? Math.Round(stop.AtSeconds - outageStart, 2)
            : null;
    }
}
