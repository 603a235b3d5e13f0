namespace Fusebox.Tests.Groups;

/// <summary>Envoy's success-rate rule: a member below mean − factor × stdev of its peers, when enough peers have enough calls.</summary>
public class OutlierTests
{
    // Members trip on 3 consecutive failures; every member below spreads its failures so that none trips by itself.
    private static BreakerGroupOptions Options(Action<BreakerGroupOptions>? configure = null) => TestGroups.Options(configure);

    [Fact]
    public void A_member_far_below_its_peers_is_ejected_with_the_numbers_in_its_reason()
    {
        var (group, time, members) = TestGroups.Create(10, Options(o => o.MaxOpenPercent = 20));
        var reported = new List<BreakerGroupEventArgs>();
        group.Reported += (_, e) => reported.Add(e);
        foreach (var member in members.Skip(1))
        {
            member.Mixed(successes: 99, failures: 1);
        }

        members[0].Mixed(successes: 70, failures: 30);
        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(BreakerState.Open, members[0].State);
        Assert.Equal(TransitionReason.Outlier, members[0].Snapshot().LastReason);
        Assert.All(members.Skip(1), m => Assert.Equal(BreakerState.Closed, m.State));
        var ejected = Assert.Single(reported);
        Assert.Equal(BreakerGroupEventKind.OutlierEjected, ejected.Kind);
        Assert.Equal("m0", ejected.MemberKey);
        Assert.StartsWith("outlier: success rate 70% over 100 calls, below the group's ", ejected.Description, StringComparison.Ordinal);
        var snapshot = group.Snapshot();
        Assert.Equal(0.961, snapshot.MeanSuccessRate, 3); // (9 × 0.99 + 0.70) / 10
        Assert.Equal(1, snapshot.Ejections);
        Assert.Equal(1, group.OpenCount);

        time.Advance(TestGroups.Break); // the member's own break, then its own probe
        members[0].Calls(1, fail: false);
        Assert.Equal(BreakerState.Closed, members[0].State);
        Assert.Equal(0, group.OpenCount);
    }

    [Fact]
    public void Fewer_than_the_minimum_members_with_enough_calls_judge_nobody()
    {
        var (group, time, members) = TestGroups.Create(10);
        foreach (var member in members.Skip(1).Take(3))
        {
            member.Mixed(successes: 100, failures: 0);
        }

        members[4].Mixed(successes: 99, failures: 0); // one call short of the minimum: 4 members qualify, 5 are needed
        members[0].Mixed(successes: 50, failures: 50);
        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(BreakerState.Closed, members[0].State);
        Assert.True(double.IsNaN(group.Snapshot().OutlierThreshold));
    }

    [Fact]
    public void Each_interval_judges_only_its_own_calls()
    {
        var (_, time, members) = TestGroups.Create(6);
        members[0].Mixed(successes: 70, failures: 30); // a bad first interval with too few peers to judge it
        time.Advance(TimeSpan.FromSeconds(10));
        foreach (var member in members)
        {
            member.Mixed(successes: 100, failures: 0);
        }

        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(BreakerState.Closed, members[0].State);
    }

    [Fact]
    public void An_outlier_beyond_the_cap_would_have_been_ejected_and_stays_closed()
    {
        var (group, time, members) = TestGroups.Create(10);
        var reported = new List<BreakerGroupEventArgs>();
        group.Reported += (_, e) => reported.Add(e);
        foreach (var member in members.Skip(2))
        {
            member.Mixed(successes: 100, failures: 0);
        }

        members[0].Mixed(successes: 70, failures: 30);
        members[1].Mixed(successes: 70, failures: 30);
        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal([BreakerGroupEventKind.OutlierEjected, BreakerGroupEventKind.WouldHaveOpened], reported.Select(e => e.Kind));
        Assert.Equal(BreakerState.Open, members[0].State);
        Assert.Equal(BreakerState.Closed, members[1].State);
        Assert.EndsWith("the group's cap of 1 open member(s) is reached", reported[1].Description, StringComparison.Ordinal);
        Assert.False(group.Snapshot().Members[1].IsHealthy);
    }

    [Fact]
    public void Outlier_detection_can_be_turned_off()
    {
        var (group, time, members) = TestGroups.Create(10, Options(o => o.DetectOutliers = false));
        foreach (var member in members.Skip(1))
        {
            member.Mixed(successes: 100, failures: 0);
        }

        members[0].Mixed(successes: 70, failures: 30);
        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(BreakerState.Closed, members[0].State);
        Assert.False(double.IsNaN(group.Snapshot().OutlierThreshold)); // still measured and reported
    }
}
