using Fusebox.Coordination;

namespace Fusebox.Redis;

/// <summary>
/// The merge rules of the shared state, as a pure, synchronous function: given the local side of a breaker
/// (<see cref="LocalView"/>), a validated view from Redis and the time, it returns a <see cref="MergeDecision"/>. No I/O, no
/// awaits, no locks: <see cref="StateAdopter"/> applies the decision under the breaker's gate, and every rule is unit-tested
/// on a fake clock (ReconcilerTests). Time is read only through the <see cref="CoordinatorClock"/>.
/// </summary>
/// <remarks>
/// A newer shared transition is adopted (except in the first read after an outage, when the replica changed locally
/// meanwhile: that is a divergence like any other). Otherwise, when the replica has diverged (or is reconciling after an outage,
/// or Redis lost the state), the more severe state wins: a less severe local state adopts the shared one; a more severe
/// one is pushed to Redis when it came from the shared state (Redis lost it), when it is manual, or when the mode is
/// <see cref="SharingMode.Any"/>. Severity: isolated &gt; open &gt; half-open &gt; closed = disabled.
/// </remarks>
internal sealed class Reconciler(CoordinatorClock clock, string replicaId, TimeSpan holdGrace)
{
    public MergeDecision Decide(in LocalView local, ClusterView view, ViewSource source, long? localGenerationBefore = null, bool publishing = false)
    {
        var known = local.Known;
        bool firstSight = known is null;
        bool epochChanged = !string.Equals(known?.Epoch, view.Epoch, StringComparison.Ordinal);
        long knownGeneration = known?.Generation ?? -1;
        if (!epochChanged && view.Generation < knownGeneration)
        {
            // Older than what this replica knows. A late message or a reply overtaken by a message is stale. But a
            // reply to a call sent after the newer view arrived shows what Redis holds now: it went back (a failover
            // lost the last writes), and nobody else will notice. Reconcile as after a lost state.
            bool regressed = source != ViewSource.Message && view.RequestedAt > known!.ReceivedAt;
            return regressed && local.PendingPublishes == 0
                ? Reconcile(local, view, lostState: true) with { Record = true }
                : new MergeDecision(MergeRule.Stale);
        }

        bool sameGenerationDiverged = !epochChanged && view.Generation == knownGeneration && !known!.SameTransitionAs(view);
        bool news = epochChanged ? view.Generation > 0 : view.Generation > knownGeneration || sameGenerationDiverged;

        // The reply to publishing a change is observed while that change still counts as queued.
        bool otherChangesQueued = local.PendingPublishes > (publishing ? 1 : 0);
        if (news && otherChangesQueued)
        {
            // A local change is queued for publishing and is newer than anything this view can tell: publish it first,
            // then look again.
            return new MergeDecision(MergeRule.WaitForLocalChange) { LookAgain = true };
        }

        bool byThisReplica = string.Equals(view.DecidedBy, replicaId, StringComparison.Ordinal);
        bool changedLocally = local.Generation != local.GenerationAtSync;
        if (news && source == ViewSource.Recovery && changedLocally && !firstSight)
        {
            // Back after an outage, with a local change made while Redis was away (a trip whose publishing was dropped,
            // a local round) and newer shared state than the replica knew: neither is known to be later than the other,
            // so the more severe state wins, as for any divergence. Adopting the newer view instead undid an Any-mode
            // trip that had no other way to reach Redis (PropagationTests lost one under CI load: the trip's publish
            // timed out while the reply to the reset before it was still unrecorded).
            // (Queued changes were handled above: they are published first.) A new epoch here is Redis created or
            // re-created meanwhile, as in the divergence rules below.
            return Reconcile(local, view, lostState: epochChanged) with { Record = true };
        }

        if (news)
        {
            // A message is adopted as it comes. A reply to this replica's own call is adopted only if the breaker did not
            // change while the call was in flight: a newer local change must not be undone. A breaker that reset itself
            // already cleared its window; clearing it again now could drop outcomes recorded since. A reset decided
            // anywhere else (or by this coordinator's ResetAsync) clears it here.
            bool clearWindow = source == ViewSource.OwnCommand || !byThisReplica;
            return new MergeDecision(sameGenerationDiverged ? MergeRule.AdoptSameGenerationDivergence : MergeRule.AdoptNewer)
            {
                Adopt = ToExternal(view, clearWindow),
                ExpectedGeneration = localGenerationBefore,
                ClearWindow = clearWindow,
                Won = source is ViewSource.OwnManual or ViewSource.OwnCommand or ViewSource.OwnTransition && view.Code > 0 && byThisReplica,
            };
        }

        bool diverged = epochChanged || source == ViewSource.Recovery || changedLocally;
        if (!diverged)
        {
            return new MergeDecision(MergeRule.Unchanged) { Record = true };
        }

        if (otherChangesQueued)
        {
            return new MergeDecision(MergeRule.ReconcileLater) { Record = true, LookAgain = true };
        }

        return Reconcile(local, view, lostState: epochChanged && !firstSight) with { Record = true };
    }

    /// <summary>
    /// Lets a breaker that waits on a cluster decision decide alone (Redis unavailable, breaker no longer shared): a held
    /// half-open round becomes a normal local round; a break extended by <see cref="RedisStateOptions.HoldGrace"/> ends
    /// when the shared break ends. Null when nothing is held.
    /// </summary>
    public ExternalState? Release(in LocalView local, string why)
    {
        var view = local.Known;
        if (local.Held)
        {
            return new ExternalState
            {
                State = BreakerState.HalfOpen,
                ConsecutiveOpens = view?.ConsecutiveOpens ?? 0,
                Description = $"{why}: probing locally",
            };
        }

        if (view is { State: BreakerState.Open } && local.State == BreakerState.Open && local.Adopted)
        {
            return new ExternalState
            {
                State = BreakerState.Open,
                OpenFor = TimeSpan.FromMilliseconds(Math.Max(1, view.OpenUntil - clock.NowMs)),
                ConsecutiveOpens = view.ConsecutiveOpens,
                Description = $"{Describe(view)}; {why}",
            };
        }

        return null;
    }

    public static int Severity(BreakerState state) => state switch
    {
        BreakerState.Isolated => 3,
        BreakerState.Open => 2,
        BreakerState.HalfOpen => 1,
        _ => 0,
    };

    public static string Describe(ClusterView view) =>
        view.DecidedBy.Length == 0 ? $"cluster: {view.Description}" : $"cluster: {view.Description} (by {view.DecidedBy})";

    private MergeDecision Reconcile(in LocalView local, ClusterView view, bool lostState)
    {
        var state = local.State;
        if (state == view.State && state is BreakerState.Closed or BreakerState.Disabled or BreakerState.Isolated)
        {
            return new MergeDecision(MergeRule.InSync) { InSyncGeneration = local.Generation };
        }

        // The same open or half-open state, but decided here (a trip that lost the race to another replica's open, a
        // local round): take the shared one, whose break waits for the cluster's half-open and whose probes are capped.
        bool sameButLocal = state == view.State && !(state == BreakerState.HalfOpen && local.Held) && local.Generation != local.GenerationAtSync;
        bool manualCluster = view.State is BreakerState.Isolated or BreakerState.Disabled;
        int localSeverity = Severity(state);
        int clusterSeverity = Severity(view.State);
        if (manualCluster || localSeverity < clusterSeverity || sameButLocal)
        {
            bool clearWindow = !string.Equals(view.DecidedBy, replicaId, StringComparison.Ordinal);
            return new MergeDecision(MergeRule.AdoptShared)
            {
                Adopt = ToExternal(view, clearWindow),
                ExpectedGeneration = local.Generation,
                ClearWindow = clearWindow,
            };
        }

        bool push = localSeverity > clusterSeverity &&
                    ((lostState && local.Adopted) || (local.Mode == SharingMode.Any && state == BreakerState.Open) ||
                     (lostState && state is BreakerState.Isolated or BreakerState.Disabled));
        return push ? new MergeDecision(MergeRule.PushLocal) { Push = true } : new MergeDecision(MergeRule.KeepLocal);
    }

    private ExternalState ToExternal(ClusterView view, bool clearWindow)
    {
        string description = Describe(view);
        return view.State switch
        {
            BreakerState.Closed => new ExternalState { State = BreakerState.Closed, ClearWindow = clearWindow, Description = description },
            BreakerState.Open => new ExternalState
            {
                State = BreakerState.Open,
                OpenFor = Min(TimeSpan.FromMilliseconds(Math.Max(1, view.OpenUntil - clock.NowMs)) + holdGrace, CircuitBreakerOptions.MaxDuration),
                ConsecutiveOpens = view.ConsecutiveOpens,
                Description = description,
            },
            BreakerState.HalfOpen => new ExternalState
            {
                State = BreakerState.HalfOpen, ProbePermits = 0, CloseOnProbeSuccess = false, ConsecutiveOpens = view.ConsecutiveOpens,
                Description = description,
            },
            _ => new ExternalState { State = view.State, Description = description },
        };
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
