using Fusebox.Coordination;
using Fusebox.Tests.Support;

namespace Fusebox.Tests;

/// <summary><see cref="CoordinationExtensions.RevokeProbes"/>: a coordinator takes back granted probe slots its callers
/// did not use, and never one a caller holds.</summary>
public class ProbeRevokeTests
{
    private static (CircuitBreaker Breaker, Microsoft.Extensions.Time.Testing.FakeTimeProvider Time, long Generation) HeldRound(int slots, int granted)
    {
        var (breaker, time) = TestBreakers.Create(new CircuitBreakerOptions { HalfOpenPermits = slots, ProbeTimeout = TimeSpan.FromSeconds(1) });
        long g = breaker.ApplyExternal(new ExternalState { State = BreakerState.HalfOpen, ProbePermits = granted, CloseOnProbeSuccess = false });
        return (breaker, time, g);
    }

    [Fact]
    public void Only_granted_slots_that_no_probe_holds_are_taken_back()
    {
        var (breaker, _, g) = HeldRound(slots: 3, granted: 3);
        Assert.True(breaker.TryAcquire(out var held));

        Assert.Equal(2, breaker.RevokeProbes(g, 3)); // the held one stays its caller's
        Assert.False(breaker.TryAcquire(out _));
        Assert.Equal(new HalfOpenProgress(g, 0, 0, 2, 3), breaker.GetHalfOpenProgress());
        held.RecordSuccess();
        Assert.Equal(1, breaker.GetHalfOpenProgress()!.Value.Successes);

        Assert.Equal(2, breaker.GrantProbes(g, 2)); // revoked slots can be granted again
        Assert.Equal(0, breaker.RevokeProbes(g + 1, 2)); // another round
        Assert.Equal(0, breaker.RevokeProbes(g, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => breaker.RevokeProbes(g, -1));
    }

    [Fact]
    public void A_probe_held_past_its_timeout_is_taken_back_and_its_late_report_is_ignored()
    {
        var (breaker, time, g) = HeldRound(slots: 1, granted: 1);
        Assert.True(breaker.TryAcquire(out var hung));
        Assert.Equal(0, breaker.RevokeProbes(g, 1));

        time.Advance(TimeSpan.FromSeconds(1)); // ProbeTimeout: the slot may be taken again, so it may be taken back
        Assert.Equal(1, breaker.RevokeProbes(g, 1));
        hung.RecordSuccess();
        Assert.Equal(new HalfOpenProgress(g, 0, 0, 1, 1), breaker.GetHalfOpenProgress());
    }

    [Fact]
    public async Task A_slot_raced_by_a_claim_and_a_revoke_goes_to_exactly_one_of_them()
    {
        // Bounded stress: 10,000 fresh rounds of one granted slot, a claimer and a revoker released together each time.
        // A revoke that wrote its "ungranted" mark without compare-and-swap lets both win (seen with the swap replaced by
        // a plain write: "round 2303: admitted True, revoked 1").
        for (int round = 0; round < 10_000; round++)
        {
            var (breaker, _, g) = HeldRound(slots: 1, granted: 1);
            using var go = new ManualResetEventSlim();
            var claim = Task.Run(() => { go.Wait(); return breaker.TryAcquire(out _); });
            var revoke = Task.Run(() => { go.Wait(); return breaker.RevokeProbes(g, 1); });
            go.Set();
            bool admitted = await claim;
            int revoked = await revoke;
            Assert.True((admitted ? 1 : 0) + revoked == 1, $"round {round}: admitted {admitted}, revoked {revoked}");
        }
    }
}
