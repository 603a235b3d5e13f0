using Fusebox.Tests.Support;

namespace Fusebox.Tests.Groups;

/// <summary>
/// Two members tripping at once must not both take the last open slot. The slot count is taken with a compare-and-swap
/// of the value that was checked against the cap (BreakerGroup.TryTakeSlot): these tests drive the interleaving that
/// a check followed by a separate increment gets wrong (both fail with two members open when the swap is replaced by
/// <c>Interlocked.Increment</c> after the check).
/// </summary>
public class OpenCapRaceTests
{
    [Fact]
    public void A_member_that_trips_between_another_members_check_and_swap_takes_the_last_slot_alone()
    {
        var (group, _, members) = TestGroups.Create(10); // cap: one
        var (first, second) = (members[0], members[1]);
        first.Calls(2, fail: true);
        second.Calls(2, fail: true);
        int hooks = 0;
        group.SlotRaceHook = () =>
        {
            // The first member has read "0 of 1 taken" and not yet swapped: the second trips right now.
            if (++hooks == 1)
            {
                second.Calls(1, fail: true);
            }
        };

        first.Calls(1, fail: true);

        Assert.Equal(BreakerState.Open, second.State);
        Assert.Equal(BreakerState.Closed, first.State);
        Assert.Equal(1, group.OpenCount);
        Assert.Equal(1, group.Snapshot().WouldHaveOpened);
    }

    [Fact]
    public void Members_tripping_at_once_on_many_threads_never_pass_the_cap()
    {
        const int Rounds = 300;
        var (group, _, members) = TestGroups.Create(10, TestGroups.Options(o => o.PanicThresholdPercent = 0)); // cap: one
        group.SlotRaceHook = () => Thread.SpinWait(5000); // widens the window between check and swap
        var racers = members.Take(4).ToArray();
        using var start = new Barrier(racers.Length);
        for (int round = 0; round < Rounds; round++)
        {
            foreach (var member in racers)
            {
                member.Reset();
                member.Calls(2, fail: true);
            }

            var threads = racers.Select(member => new Thread(() =>
            {
                start.SignalAndWait();
                member.Calls(1, fail: true);
            })).ToArray();
            Array.ForEach(threads, t => t.Start());
            Array.ForEach(threads, t => t.Join());

            int open = racers.Count(m => m.State == BreakerState.Open);
            Assert.True(open == 1 && group.OpenCount == 1, $"round {round}: {open} members open, {group.OpenCount} slots taken, cap {group.MaxOpen}");
        }
    }

    [Fact]
    public void A_slot_reserved_by_a_trip_that_lost_to_an_operator_is_freed_by_the_next_evaluation()
    {
        var (group, _, members) = TestGroups.Create(10);
        var member = members[0];
        member.Calls(2, fail: true);
        group.SlotRaceHook = () => member.Disable("operator"); // its event comes before the reservation it should end

        member.Calls(1, fail: true);
        group.SlotRaceHook = null;

        Assert.Equal(BreakerState.Disabled, member.State);
        Assert.Equal(1, group.OpenCount); // the reservation outlived the trip it was for
        group.Evaluate();
        Assert.Equal(0, group.OpenCount);
        members[1].Trip();
        Assert.Equal(BreakerState.Open, members[1].State);
    }

    [Fact]
    public void A_member_that_closes_gives_its_slot_back_and_another_may_open()
    {
        var (group, time, members) = TestGroups.Create(10);
        members[0].Trip();
        members[1].Calls(3, fail: true);
        Assert.Equal(BreakerState.Closed, members[1].State);

        time.Advance(TestGroups.Break);
        members[0].Calls(1, fail: false); // the probe closes it

        Assert.Equal(0, group.OpenCount);
        members[1].Calls(3, fail: true);
        Assert.Equal(BreakerState.Open, members[1].State);
        Assert.Equal(1, group.OpenCount);
    }
}
