using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Tests.Groups;

/// <summary>What the admin side reads: a registry lists the groups created on it until they are disposed, and a
/// member's status says when it is open as an ejected outlier.</summary>
public class GroupListingTests
{
    [Fact]
    public void A_registry_lists_the_groups_created_on_it_until_each_is_disposed()
    {
        using var registry = new CircuitBreakerRegistry(timeProvider: new FakeTimeProvider());
        using var standalone = new BreakerGroup("standalone", timeProvider: registry.TimeProvider);
        var first = new BreakerGroup("first", registry);
        using var second = new BreakerGroup("second", registry);

        Assert.Equal([first, second], registry.Groups);

        first.Dispose();
        first.Dispose(); // twice is harmless
        Assert.Equal([second], registry.Groups);
    }

    [Fact]
    public void A_member_is_ejected_while_open_as_an_outlier_and_not_after_its_break()
    {
        var (group, time, members) = TestGroups.Create(10, TestGroups.Options(o => o.MaxOpenPercent = 20));
        foreach (var member in members.Skip(1))
        {
            member.Mixed(successes: 99, failures: 1);
        }

        members[0].Mixed(successes: 70, failures: 30);
        members[1].Calls(3, fail: true); // its own trip: open, but not ejected
        time.Advance(TimeSpan.FromSeconds(10));

        var status = group.Snapshot().Members;
        Assert.Equal((BreakerState.Open, true), (status[0].State, status[0].IsEjected));
        Assert.Equal((BreakerState.Open, false), (status[1].State, status[1].IsEjected));
        Assert.All(status.Skip(2), m => Assert.False(m.IsEjected));

        time.Advance(TestGroups.Break);
        members[0].Calls(1, fail: false); // its own probe closes it
        Assert.False(group.Snapshot().Members[0].IsEjected);
        group.Dispose();
    }
}
