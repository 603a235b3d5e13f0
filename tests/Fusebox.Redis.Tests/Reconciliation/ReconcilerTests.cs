using Fusebox.Coordination;
using static Fusebox.Redis.Tests.Reconciliation.Views;

namespace Fusebox.Redis.Tests.Reconciliation;

/// <summary>Every merge rule of <see cref="Reconciler"/>, on a fake clock and without Redis (docs/distributed.md, "Merge rules").</summary>
public sealed class ReconcilerTests
{
    [Fact]
    public void An_older_generation_of_the_known_epoch_is_stale_and_ignored()
    {
        var (reconciler, _, _) = Create();
        var known = View(BreakerState.Open, 5);
        var d = reconciler.Decide(InSync(BreakerState.Open, known), View(BreakerState.Closed, 4), ViewSource.Message);
        Assert.Equal(MergeRule.Stale, d.Rule);
        Assert.False(d.Record);
        Assert.Null(d.Adopt);
    }

    [Fact]
    public void An_older_generation_in_a_reply_to_a_call_sent_after_the_newer_view_arrived_means_redis_went_back()
    {
        // Isolated at generation 6 (received at 100 ms); a failover lost it: Redis holds generation 5, closed.
        var (reconciler, _, _) = Create();
        var isolated = View(BreakerState.Isolated, 6, receivedAt: 100);
        var back = View(BreakerState.Closed, 5) with { RequestedAt = 101, ReceivedAt = 102 };
        var d = reconciler.Decide(InSync(BreakerState.Isolated, isolated), back, ViewSource.Poll, 10);
        Assert.Equal(MergeRule.PushLocal, d.Rule); // the adopted, more severe state is written back
        Assert.True(d.Record);

        // A less severe adopted state takes what Redis holds now.
        var open = View(BreakerState.Closed, 6, receivedAt: 100);
        var reopened = View(BreakerState.Open, 5, openLeftMs: 1000) with { RequestedAt = 101, ReceivedAt = 102 };
        Assert.Equal(MergeRule.AdoptShared, reconciler.Decide(InSync(BreakerState.Closed, open), reopened, ViewSource.Poll, 10).Rule);

        // A reply to a call sent before the newer view arrived, or a message, is merely late.
        Assert.Equal(MergeRule.Stale, reconciler.Decide(InSync(BreakerState.Isolated, isolated), back with { RequestedAt = 99 }, ViewSource.Poll, 10).Rule);
        Assert.Equal(MergeRule.Stale, reconciler.Decide(InSync(BreakerState.Isolated, isolated), back, ViewSource.Message).Rule);
    }

    [Fact]
    public void A_newer_generation_is_adopted_a_message_unconditionally_a_reply_only_in_the_generation_it_was_sent_from()
    {
        var (reconciler, _, _) = Create();
        var local = InSync(BreakerState.Closed, View(BreakerState.Closed, 5));
        var message = reconciler.Decide(local, View(BreakerState.Isolated, 6), ViewSource.Message);
        Assert.Equal(MergeRule.AdoptNewer, message.Rule);
        Assert.Equal(BreakerState.Isolated, message.Adopt!.State);
        Assert.Null(message.ExpectedGeneration);
        Assert.Equal("cluster: d (by other)", message.Adopt.Description);

        var reply = reconciler.Decide(local, View(BreakerState.Isolated, 6), ViewSource.Poll, localGenerationBefore: 10);
        Assert.Equal(10, reply.ExpectedGeneration);
    }

    [Fact]
    public void Newer_shared_state_waits_while_a_local_change_is_queued_for_publishing()
    {
        var (reconciler, _, _) = Create();
        var local = InSync(BreakerState.Isolated, View(BreakerState.Closed, 5)) with { PendingPublishes = 1 };
        var d = reconciler.Decide(local, View(BreakerState.Closed, 6), ViewSource.Message);
        Assert.Equal(MergeRule.WaitForLocalChange, d.Rule);
        Assert.True(d.LookAgain);
        Assert.Null(d.Adopt);

        // The reply to publishing that very change: it is the one queued, so the view is adopted.
        var own = reconciler.Decide(local, View(BreakerState.Isolated, 6, by: Me), ViewSource.OwnManual, 10, publishing: true);
        Assert.Equal(MergeRule.AdoptNewer, own.Rule);
        Assert.True(own.Won);
        Assert.False(own.ClearWindow); // this replica's own reset already cleared its window
    }

    [Fact]
    public void A_different_transition_at_the_known_generation_is_a_lost_write_and_what_redis_holds_is_adopted()
    {
        // Replica 1 isolated (generation 6); a failover lost that write; replica 2 reset, writing generation 6 again.
        var (reconciler, _, _) = Create();
        var isolated = View(BreakerState.Isolated, 6, by: Me, description: "isolated by an operator");
        var reset = View(BreakerState.Closed, 6, by: Other, description: "reset by an operator");
        var d = reconciler.Decide(InSync(BreakerState.Isolated, isolated), reset, ViewSource.Message);
        Assert.Equal(MergeRule.AdoptSameGenerationDivergence, d.Rule);
        Assert.Equal(BreakerState.Closed, d.Adopt!.State);
        Assert.True(d.ClearWindow);
    }

    [Fact]
    public void The_same_transition_read_again_with_other_probe_counts_and_time_left_is_not_a_divergence()
    {
        var (reconciler, _, _) = Create();
        var known = View(BreakerState.HalfOpen, 6) with { ProbesLeft = 3, RoundLeftMs = 900 };
        var again = known with { ProbesLeft = 1, ProbeSuccesses = 2, RoundLeftMs = 400, ReceivedAt = 500 };
        var d = reconciler.Decide(InSync(BreakerState.HalfOpen, known) with { Held = true }, again, ViewSource.Poll, 10);
        Assert.Equal(MergeRule.Unchanged, d.Rule);
        Assert.True(d.Record);
    }

    [Fact]
    public void A_new_epoch_with_a_transition_is_adopted_and_an_empty_new_epoch_reconciles_as_a_lost_state()
    {
        var (reconciler, _, _) = Create();
        var known = View(BreakerState.Open, 7, epoch: "old");
        var reseeded = reconciler.Decide(InSync(BreakerState.Open, known), View(BreakerState.Open, 1, epoch: "new", openLeftMs: 100), ViewSource.Message);
        Assert.Equal(MergeRule.AdoptNewer, reseeded.Rule);

        // Redis restarted empty (epoch '', generation 0): the replica held an adopted open state, so it writes it back.
        var empty = reconciler.Decide(InSync(BreakerState.Open, known), View(BreakerState.Closed, 0, epoch: ""), ViewSource.Poll, 10);
        Assert.Equal(MergeRule.PushLocal, empty.Rule);
        Assert.True(empty.Push);
        Assert.True(empty.Record);
    }

    [Fact]
    public void Nothing_new_on_a_replica_that_did_not_diverge_is_only_recorded()
    {
        var (reconciler, _, _) = Create();
        var known = View(BreakerState.Closed, 5);
        var d = reconciler.Decide(InSync(BreakerState.Closed, known), known with { ReceivedAt = 10 }, ViewSource.Poll, 10);
        Assert.Equal(MergeRule.Unchanged, d.Rule);
        Assert.Null(d.Adopt);
        Assert.False(d.Push);
    }

    [Fact]
    public void A_diverged_replica_with_a_queued_change_reconciles_later()
    {
        var (reconciler, _, _) = Create();
        var known = View(BreakerState.Closed, 5);
        var d = reconciler.Decide(Diverged(BreakerState.Isolated, known) with { PendingPublishes = 1 }, known, ViewSource.Poll, 11);
        Assert.Equal(MergeRule.ReconcileLater, d.Rule);
        Assert.True(d.LookAgain);
        Assert.Null(d.Adopt);
    }

    [Theory]
    [InlineData(BreakerState.Closed)]
    [InlineData(BreakerState.Disabled)]
    [InlineData(BreakerState.Isolated)]
    public void A_diverged_replica_in_the_shared_manual_or_closed_state_is_in_sync(BreakerState state)
    {
        var (reconciler, _, _) = Create();
        var known = View(state, 5);
        var d = reconciler.Decide(Diverged(state, known, generation: 12), known, ViewSource.Poll, 12);
        Assert.Equal(MergeRule.InSync, d.Rule);
        Assert.Equal(12, d.InSyncGeneration);
    }

    [Theory]
    [InlineData(BreakerState.Closed, BreakerState.Open)]
    [InlineData(BreakerState.Closed, BreakerState.HalfOpen)]
    [InlineData(BreakerState.HalfOpen, BreakerState.Open)]
    [InlineData(BreakerState.Open, BreakerState.Isolated)]
    [InlineData(BreakerState.Open, BreakerState.Disabled)]   // manual shared states win whatever their severity
    [InlineData(BreakerState.Open, BreakerState.Open)]       // the same state decided here: take the cluster's break
    [InlineData(BreakerState.HalfOpen, BreakerState.HalfOpen)] // a local round: take the cluster's capped one
    public void A_diverged_replica_adopts_a_more_severe_manual_or_same_shared_state(BreakerState local, BreakerState cluster)
    {
        var (reconciler, _, _) = Create();
        var known = View(cluster, 5, openLeftMs: 1000);
        var d = reconciler.Decide(Diverged(local, known, generation: 12), known, ViewSource.Poll, 12);
        Assert.Equal(MergeRule.AdoptShared, d.Rule);
        Assert.Equal(cluster, d.Adopt!.State);
        Assert.Equal(12, d.ExpectedGeneration);
    }

    [Fact]
    public void A_locally_decided_trip_in_quorum_mode_stays_local_and_in_any_mode_is_pushed()
    {
        var (reconciler, _, _) = Create();
        var known = View(BreakerState.Closed, 5);
        Assert.Equal(MergeRule.KeepLocal, reconciler.Decide(Diverged(BreakerState.Open, known), known, ViewSource.Poll, 11).Rule);
        var any = reconciler.Decide(Diverged(BreakerState.Open, known, mode: SharingMode.Any), known, ViewSource.Poll, 11);
        Assert.Equal(MergeRule.PushLocal, any.Rule);
        Assert.True(any.Push);
    }

    [Fact]
    public void After_an_outage_a_local_change_made_meanwhile_meets_newer_shared_state_by_severity_not_by_generation()
    {
        // Known: closed at 5. While Redis was away the replica tripped (its publishing was dropped) and another replica's
        // reset made generation 6. Neither is known to be later: the more severe wins, as for any divergence.
        var (reconciler, _, _) = Create();
        var known = View(BreakerState.Closed, 5);
        var reset = View(BreakerState.Closed, 6, description: "reset");
        var any = reconciler.Decide(Diverged(BreakerState.Open, known, mode: SharingMode.Any), reset, ViewSource.Recovery, 11);
        Assert.Equal(MergeRule.PushLocal, any.Rule);
        Assert.True(any.Push);
        Assert.True(any.Record);
        Assert.Null(any.Adopt);
        Assert.Equal(MergeRule.KeepLocal, reconciler.Decide(Diverged(BreakerState.Open, known), reset, ViewSource.Recovery, 11).Rule);

        // A more severe shared state still wins; so does a newer one when nothing changed here; so does a newer one
        // outside recovery (a reply or message is ordered after the local change that is not queued any more).
        var isolated = View(BreakerState.Isolated, 6);
        Assert.Equal(MergeRule.AdoptShared, reconciler.Decide(Diverged(BreakerState.Open, known, mode: SharingMode.Any), isolated, ViewSource.Recovery, 11).Rule);
        Assert.Equal(MergeRule.AdoptNewer, reconciler.Decide(InSync(BreakerState.Open, known), reset, ViewSource.Recovery, 10).Rule);
        Assert.Equal(MergeRule.AdoptNewer, reconciler.Decide(Diverged(BreakerState.Open, known, mode: SharingMode.Any), reset, ViewSource.Poll, 11).Rule);

        // Redis was created meanwhile (the replica had seen no state yet: empty epoch): the same.
        var empty = View(BreakerState.Closed, 0, epoch: "");
        var created = reconciler.Decide(Diverged(BreakerState.Open, empty, mode: SharingMode.Any), reset, ViewSource.Recovery, 11);
        Assert.Equal(MergeRule.PushLocal, created.Rule);
    }

    [Fact]
    public void A_manual_state_lost_by_redis_is_pushed_even_when_it_was_not_adopted_and_nothing_is_pushed_on_first_sight()
    {
        var (reconciler, _, _) = Create();
        var lost = reconciler.Decide(Diverged(BreakerState.Isolated, View(BreakerState.Closed, 5, epoch: "old")), View(BreakerState.Closed, 0, epoch: ""),
            ViewSource.Recovery, 11);
        Assert.Equal(MergeRule.PushLocal, lost.Rule);

        // A replica that never saw the shared state has nothing Redis could have lost: its own open stays local.
        var first = reconciler.Decide(Diverged(BreakerState.Open, known: null), View(BreakerState.Closed, 0, epoch: ""), ViewSource.Poll, 11);
        Assert.Equal(MergeRule.KeepLocal, first.Rule);
    }

    [Fact]
    public void An_adopted_break_ends_when_the_shared_one_does_plus_the_hold_grace_on_the_replicas_own_clock()
    {
        var (reconciler, time, clock) = Create();
        long receivedAt = clock.NowMs;
        time.Advance(TimeSpan.FromMilliseconds(1500)); // the view waited in the queue
        var d = reconciler.Decide(InSync(BreakerState.Closed, View(BreakerState.Closed, 5)),
            View(BreakerState.Open, 6, openLeftMs: 5000, receivedAt: receivedAt, opens: 2), ViewSource.Message);
        Assert.Equal(TimeSpan.FromMilliseconds(3500) + HoldGrace, d.Adopt!.OpenFor);
        Assert.Equal(2, d.Adopt.ConsecutiveOpens);
    }

    [Fact]
    public void An_adopted_break_is_at_least_a_millisecond_and_at_most_a_day()
    {
        var (reconciler, time, clock) = Create();
        long receivedAt = clock.NowMs;
        time.Advance(TimeSpan.FromSeconds(30));
        var late = reconciler.Decide(InSync(BreakerState.Closed, View(BreakerState.Closed, 5)),
            View(BreakerState.Open, 6, openLeftMs: 1000, receivedAt: receivedAt), ViewSource.Message);
        Assert.Equal(TimeSpan.FromMilliseconds(1) + HoldGrace, late.Adopt!.OpenFor);

        var longest = reconciler.Decide(InSync(BreakerState.Closed, View(BreakerState.Closed, 5)),
            View(BreakerState.Open, 6, openLeftMs: (long)TimeSpan.FromDays(1).TotalMilliseconds, receivedAt: clock.NowMs), ViewSource.Message);
        Assert.Equal(CircuitBreakerOptions.MaxDuration, longest.Adopt!.OpenFor);
    }

    [Theory]
    [InlineData(-5)]
    [InlineData(0)]
    [InlineData(5)]
    public void Skewed_wall_clocks_do_not_change_an_adopted_break(int skewSeconds)
    {
        // Breaks travel as durations left, measured on each replica's monotonic clock: the wall clock is irrelevant.
        var (reconciler, time, clock) = Create(TimeSpan.FromSeconds(skewSeconds));
        long receivedAt = clock.NowMs;
        time.Advance(TimeSpan.FromMilliseconds(200));
        var d = reconciler.Decide(InSync(BreakerState.Closed, View(BreakerState.Closed, 5)),
            View(BreakerState.Open, 6, openLeftMs: 5000, receivedAt: receivedAt), ViewSource.Message);
        Assert.Equal(TimeSpan.FromMilliseconds(4800) + HoldGrace, d.Adopt!.OpenFor);
    }

    [Fact]
    public void An_adopted_half_open_round_is_held_no_slot_granted_no_local_closing()
    {
        var (reconciler, _, _) = Create();
        var d = reconciler.Decide(InSync(BreakerState.Open, View(BreakerState.Open, 5)), View(BreakerState.HalfOpen, 6, opens: 1), ViewSource.Message);
        Assert.Equal(new { State = BreakerState.HalfOpen, Permits = (int?)0, Close = false, Opens = 1 },
            new { d.Adopt!.State, Permits = d.Adopt.ProbePermits, Close = d.Adopt.CloseOnProbeSuccess, Opens = d.Adopt.ConsecutiveOpens });
    }

    [Fact]
    public void Releasing_a_held_round_probes_locally_and_a_held_break_ends_with_the_shared_one()
    {
        var (reconciler, time, clock) = Create();
        var round = View(BreakerState.HalfOpen, 6, opens: 2);
        var released = reconciler.Release(InSync(BreakerState.HalfOpen, round) with { Held = true }, "redis unavailable");
        Assert.Equal(BreakerState.HalfOpen, released!.State);
        Assert.Null(released.ProbePermits);
        Assert.True(released.CloseOnProbeSuccess);
        Assert.Equal(2, released.ConsecutiveOpens);

        var open = View(BreakerState.Open, 7, openLeftMs: 5000, receivedAt: clock.NowMs);
        time.Advance(TimeSpan.FromSeconds(2));
        var shortened = reconciler.Release(InSync(BreakerState.Open, open), "redis unavailable");
        Assert.Equal(TimeSpan.FromSeconds(3), shortened!.OpenFor); // no hold grace: the shared decision will not come

        Assert.Null(reconciler.Release(Diverged(BreakerState.Open, open), "redis unavailable")); // a local break is its own
    }

    [Fact]
    public void Severity_orders_isolated_over_open_over_half_open_over_closed_and_disabled()
    {
        Assert.Equal([3, 2, 1, 0, 0],
            new[] { BreakerState.Isolated, BreakerState.Open, BreakerState.HalfOpen, BreakerState.Closed, BreakerState.Disabled }.Select(Reconciler.Severity));
    }

    [Fact]
    public void A_reset_decided_elsewhere_clears_the_window_and_one_of_this_replica_does_not_unless_it_is_a_command()
    {
        var (reconciler, _, _) = Create();
        var local = InSync(BreakerState.Open, View(BreakerState.Open, 5));
        Assert.True(reconciler.Decide(local, View(BreakerState.Closed, 6, by: Other), ViewSource.Message).ClearWindow);
        Assert.False(reconciler.Decide(local, View(BreakerState.Closed, 6, by: Me), ViewSource.OwnManual, 10).ClearWindow);
        Assert.True(reconciler.Decide(local, View(BreakerState.Closed, 6, by: Me), ViewSource.OwnCommand, 10).ClearWindow);
    }
}
