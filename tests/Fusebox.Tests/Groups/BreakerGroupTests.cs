using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Tests.Groups;

public class BreakerGroupTests
{
    public static TheoryData<string, Action<BreakerGroupOptions>, string> OutOfRange => new()
    {
        { "MaxOpenPercent", o => o.MaxOpenPercent = 101, "BreakerGroupOptions.MaxOpenPercent must be in [0, 100] (was 101)." },
        { "MaxOpenPercent", o => o.MaxOpenPercent = double.NaN, "BreakerGroupOptions.MaxOpenPercent must be in [0, 100] (was NaN)." },
        { "PanicThresholdPercent", o => o.PanicThresholdPercent = -1, "BreakerGroupOptions.PanicThresholdPercent must be in [0, 100] (was -1)." },
        { "OutlierStdevFactor", o => o.OutlierStdevFactor = 0, "BreakerGroupOptions.OutlierStdevFactor must be in (0, 100] (was 0)." },
        { "OutlierMinimumMembers", o => o.OutlierMinimumMembers = 1, "BreakerGroupOptions.OutlierMinimumMembers must be in [2, 100000] (was 1)." },
        { "OutlierMinimumCalls", o => o.OutlierMinimumCalls = 0, "BreakerGroupOptions.OutlierMinimumCalls must be in [1, 1000000000] (was 0)." },
        { "EvaluationInterval", o => o.EvaluationInterval = TimeSpan.Zero, "BreakerGroupOptions.EvaluationInterval must be in [1 ms, 1 day] (was 00:00:00)." },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void Options_out_of_range_are_refused_at_construction_naming_the_option_and_its_range(string option, Action<BreakerGroupOptions> configure, string message)
    {
        var options = new BreakerGroupOptions();
        configure(options);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new BreakerGroup("pool", options, new FakeTimeProvider()));

        Assert.Equal(option, ex.ParamName);
        Assert.StartsWith(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Member_options_are_validated_with_the_group()
    {
        var options = new BreakerGroupOptions { MemberOptions = new CircuitBreakerOptions { HalfOpenPermits = 0 } };

        Assert.ThrowsAny<ArgumentException>(() => new BreakerGroup("pool", options, new FakeTimeProvider()));
    }

    [Theory]
    [InlineData(1, 10, 1)]
    [InlineData(10, 10, 1)]
    [InlineData(19, 10, 1)]
    [InlineData(20, 10, 2)]
    [InlineData(10, 0, 1)]
    [InlineData(10, 100, 10)]
    public void The_cap_is_the_percentage_rounded_down_and_at_least_one(int members, double percent, int cap)
    {
        var (group, _, _) = TestGroups.Create(members, TestGroups.Options(o => o.MaxOpenPercent = percent));

        Assert.Equal(cap, group.MaxOpen);
    }

    [Fact]
    public void Members_are_created_once_per_key_and_named_after_the_group()
    {
        var (group, _, _) = TestGroups.Create(0);

        var first = group.GetOrAdd("10.0.0.7:443");

        Assert.Same(first, group.GetOrAdd("10.0.0.7:443"));
        Assert.Equal("pool/10.0.0.7:443", first.Name);
        Assert.True(group.TryGet("10.0.0.7:443", out var found));
        Assert.Same(first, found);
        Assert.False(group.TryGet("other", out _));
        Assert.Equal([first], group.Members);
    }

    [Fact]
    public void A_trip_beyond_the_cap_is_reported_counted_and_leaves_the_member_closed_with_a_fresh_window()
    {
        var (group, _, members) = TestGroups.Create(10);
        var reported = new List<BreakerGroupEventArgs>();
        group.Reported += (_, e) => reported.Add(e);
        members[0].Calls(3, fail: true);

        members[1].Calls(3, fail: true);

        Assert.Equal(BreakerState.Closed, members[1].State);
        var refused = Assert.Single(reported);
        Assert.Equal(BreakerGroupEventKind.WouldHaveOpened, refused.Kind);
        Assert.Equal("pool/m1", refused.MemberName);
        Assert.Equal("3 consecutive failures; the group's cap of 1 open member(s) is reached", refused.Description);
        var status = group.Snapshot().Members[1];
        Assert.Equal(1, status.WouldHaveOpened);
        Assert.Equal(TestGroups.Break, status.HeldClosedFor);
        Assert.False(status.IsHealthy);
        members[1].Calls(2, fail: true); // the window started again: two more failures are not a trip
        Assert.Single(reported);
    }

    [Fact]
    public void The_metrics_count_refusals_ejections_and_panic()
    {
        var metrics = new FuseboxMetrics();
        using var refused = new MetricCollector<long>(metrics.Meter, "fusebox.group.would_have_opened");
        using var panics = new MetricCollector<long>(metrics.Meter, "fusebox.group.panic_transitions");
        using var gauge = new MetricCollector<int>(metrics.Meter, "fusebox.group.panic");
        using var group = new BreakerGroup("pool", TestGroups.Options(), new FakeTimeProvider(), metrics);
        var members = Enumerable.Range(0, 10).Select(i => group.GetOrAdd($"m{i}")).ToArray();

        foreach (var member in members)
        {
            member.Calls(3, fail: true);
        }

        Assert.Equal(9, refused.GetMeasurementSnapshot().Count);
        var one = refused.GetMeasurementSnapshot()[0];
        Assert.Equal("pool", one.Tags["fusebox.group"]);
        Assert.Equal("pool/m1", one.Tags["fusebox.breaker"]);
        Assert.Equal("trip", one.Tags["fusebox.cause"]);
        Assert.Equal("entered", Assert.Single(panics.GetMeasurementSnapshot()).Tags["fusebox.panic"]);
        gauge.RecordObservableInstruments();
        Assert.Equal(1, Assert.Single(gauge.GetMeasurementSnapshot(), m => Equals(m.Tags["fusebox.group"], "pool")).Value);
    }

    [Fact]
    public void With_a_registry_members_appear_in_its_report_and_a_name_taken_outside_the_group_is_refused()
    {
        using var registry = new CircuitBreakerRegistry(timeProvider: new FakeTimeProvider());
        using var group = new BreakerGroup("pool", registry, TestGroups.Options());
        registry.GetOrAdd("pool/taken");

        var member = group.GetOrAdd("a");

        Assert.Same(member, registry.GetOrAdd("pool/a"));
        Assert.Contains(registry.Report(), s => s.Name == "pool/a");
        Assert.Throws<InvalidOperationException>(() => group.GetOrAdd("taken"));
    }
}
