using Checkout.Scenario;

namespace Checkout.Tests;

/// <summary>The "stopped calling, after outage" figure of the replica report.</summary>
public class OutageStopTests
{
    [Fact]
    public void A_breaker_already_open_when_the_outage_began_stopped_at_once()
    {
        // replica-a of the CI run in SharedRoundsTests: its breaker tripped at 2.68 s, before the outage (3 s); the old
        // report read its first change within the outage (a half-open round at 3.19 s) and said "0.19 s".
        TimelineEntry[] timeline = [new(2.68, "open", "5 consecutive failures"), new(3.19, "half_open", "break duration elapsed"), new(3.30, "open", "a half-open probe failed")];

        Assert.Equal(0, OutageStop.After(timeline, 3, 12));
    }

    [Fact]
    public void A_breaker_that_tripped_during_the_outage_stopped_at_its_trip()
    {
        TimelineEntry[] timeline = [new(1.5, "open", "warm"), new(2.0, "closed", "probe ok"), new(3.31, "open", "5 consecutive failures"), new(3.9, "half_open", null)];

        Assert.Equal(0.31, OutageStop.After(timeline, 3, 12));
    }

    [Fact]
    public void A_breaker_that_never_left_closed_in_the_outage_never_stopped()
    {
        TimelineEntry[] timeline = [new(12.5, "open", "late")];

        Assert.Null(OutageStop.After(timeline, 3, 12));
    }
}
