using Fusebox.Tests.Support;

namespace Fusebox.Tests.Groups;

/// <summary>When most members fail at once it is the caller, not the hosts: the group stops rejecting.</summary>
public class PanicTests
{
    [Fact]
    public void Every_member_failing_opens_one_and_panics_instead_of_an_ejection_storm()
    {
        var (group, _, members) = TestGroups.Create(10);
        var reported = new List<BreakerGroupEventArgs>();
        group.Reported += (_, e) => reported.Add(e);

        foreach (var member in members)
        {
            member.Calls(3, fail: true);
        }

        Assert.Equal(1, members.Count(m => m.State == BreakerState.Open)); // the cap: one of ten
        Assert.Equal(9, reported.Count(e => e.Kind == BreakerGroupEventKind.WouldHaveOpened));
        Assert.True(group.IsPanicking);
        var panic = Assert.Single(reported, e => e.Kind == BreakerGroupEventKind.PanicEntered);
        Assert.Equal("4 of 10 members healthy, below the panic threshold of 50%", panic.Description);
        Assert.Equal(5, reported.TakeWhile(e => e != panic).Count()); // entered at the fifth refusal, which left 4 of 10 healthy
        members[0].Calls(5, fail: true); // the open member admits while the group panics
        Assert.Equal(BreakerState.Open, members[0].State);
        var snapshot = group.Snapshot();
        Assert.True(snapshot.IsPanicking);
        Assert.NotNull(snapshot.PanicSince);
        Assert.Equal(0, snapshot.HealthyMembers);
    }

    [Fact]
    public void Panic_ends_at_the_first_evaluation_after_the_members_recover_and_open_members_reject_again()
    {
        var (group, time, members) = TestGroups.Create(10);
        foreach (var member in members)
        {
            member.Calls(3, fail: true);
        }

        Assert.True(group.IsPanicking);
        var reported = new List<BreakerGroupEventArgs>();
        group.Reported += (_, e) => reported.Add(e);

        time.Advance(TestGroups.Break - TimeSpan.FromTicks(1));
        Assert.True(group.IsPanicking, "the evaluations at 10 s and 20 s must find the members still held closed");
        time.Advance(TimeSpan.FromTicks(1)); // at 30 s their would-be breaks are over: the evaluation counts them healthy

        Assert.False(group.IsPanicking);
        Assert.Equal("9 of 10 members healthy, at or above the panic threshold of 50%", Assert.Single(reported).Description);
        Assert.Equal(BreakerState.HalfOpen, members[0].State);
        members[0].Calls(1, fail: true); // its probe fails: open again, and without panic it rejects
        Assert.False(members[0].TryAcquire(out _));
    }

    [Fact]
    public void An_open_member_whose_break_is_over_admits_plain_calls_in_panic_and_keeps_its_probe_for_afterwards()
    {
        var (group, time, members) = PanicWithFirstMemberOverItsBreak(probeInFlight: false);
        Assert.True(members[0].TryAcquire(out var plain));
        Assert.False(plain.IsProbe);
        plain.RecordSuccess();
        Assert.Equal(1, members[0].Snapshot().FreeProbeSlots);

        time.Advance(TestGroups.Break);
        group.Evaluate(); // the refused members' would-be breaks are over
        Assert.False(group.IsPanicking);
        Assert.True(members[0].TryAcquire(out var probe));
        Assert.True(probe.IsProbe);
        Assert.False(members[0].TryAcquire(out _)); // one probe slot, taken
    }

    [Fact]
    public void A_half_open_member_whose_probe_is_in_flight_admits_plain_calls_in_panic()
    {
        var (group, _, members) = PanicWithFirstMemberOverItsBreak(probeInFlight: true);
        Assert.True(members[0].TryAcquire(out var plain));
        Assert.False(plain.IsProbe);
        plain.RecordFailure(); // measured, but not a probe: it cannot re-open the member
        Assert.Equal(BreakerState.HalfOpen, members[0].State);
    }

    /// <summary>Ten members; the first opened and its break is over (with its only probe taken, if asked); then the
    /// other nine fail, the cap refuses them all and the group panics. Evaluations are an hour apart.</summary>
    private static (BreakerGroup Group, Microsoft.Extensions.Time.Testing.FakeTimeProvider Time, CircuitBreaker[] Members) PanicWithFirstMemberOverItsBreak(bool probeInFlight)
    {
        var (group, time, members) = TestGroups.Create(10, TestGroups.Options(o => o.EvaluationInterval = TimeSpan.FromHours(1)));
        members[0].Trip();
        time.Advance(TestGroups.Break);
        if (probeInFlight)
        {
            Assert.True(members[0].TryAcquire(out var probe) && probe.IsProbe);
            Assert.False(members[0].TryAcquire(out _));
        }

        foreach (var member in members.Skip(1))
        {
            member.Calls(3, fail: true);
        }

        Assert.True(group.IsPanicking);
        return (group, time, members);
    }

    [Fact]
    public void Panic_threshold_zero_never_panics()
    {
        var (group, _, members) = TestGroups.Create(10, TestGroups.Options(o => o.PanicThresholdPercent = 0));
        foreach (var member in members)
        {
            member.Calls(3, fail: true);
        }

        Assert.False(group.IsPanicking);
        Assert.False(members.Single(m => m.State == BreakerState.Open).TryAcquire(out _));
    }

    [Fact]
    public void One_member_of_ten_failing_opens_it_without_panic()
    {
        var (group, _, members) = TestGroups.Create(10);
        members[3].Trip();

        Assert.False(group.IsPanicking);
        Assert.False(members[3].TryAcquire(out _));
        Assert.Equal(9, group.Snapshot().Members.Count(m => m.IsHealthy));
    }
}
