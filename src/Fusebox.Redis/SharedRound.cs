using Fusebox.Coordination;

namespace Fusebox.Redis;

/// <summary>
/// The cluster-wide half-open round of one breaker: starts it when the shared break has run out (or restarts it when a
/// round outlived its deadline), hands this replica one probe permit per tick while its callers are rejected for want of
/// a slot, and reports probe successes, which close the breaker for all when they reach the successes needed.
/// </summary>
internal sealed class SharedRound(CoordinatorContext context, SharedStateStore store, StateAdopter adopter)
{
    /// <summary>One tick of the round; true when it talked to Redis (the tick then needs no read).</summary>
    public async Task<bool> TickAsync(SharedBreaker shared, ClusterView view, CallCounts counts, CancellationToken stop)
    {
        bool synced = await ProbeAsync(shared, counts, stop).ConfigureAwait(false);
        long now = context.Clock.NowMs;
        long before = shared.Breaker.Generation;
        ClusterView? reply = null;
        if (view.State == BreakerState.HalfOpen && now >= view.RoundDeadline)
        {
            // The round outlived its timeout (a replica holding permits died or stopped calling): start a new one.
            reply = await store.TransitionAsync(shared, "halfopen", BreakerState.HalfOpen, view.Epoch, view.Generation, (int)BreakerState.HalfOpen,
                due: true, "the half-open round timed out: new round", stop).ConfigureAwait(false);
            synced = true;
        }
        else if (view.State == BreakerState.Open && now >= view.OpenUntil)
        {
            reply = await store.TransitionAsync(shared, "halfopen", BreakerState.HalfOpen, view.Epoch, view.Generation, (int)BreakerState.Open,
                due: true, "break duration elapsed", stop).ConfigureAwait(false);
            synced = true;
        }

        if (reply is not null)
        {
            adopter.Observe(shared, reply, ViewSource.OwnTransition, before);
        }

        return synced;
    }

    private async Task<bool> ProbeAsync(SharedBreaker shared, CallCounts counts, CancellationToken stop)
    {
        bool held;
        long heldLocal, heldCluster;
        int reported;
        lock (shared.Gate)
        {
            held = shared.IsHeld;
            heldLocal = shared.HeldLocalGeneration;
            heldCluster = shared.HeldClusterGeneration;
            reported = shared.ReportedSuccesses;
        }

        if (!held || shared.Breaker.GetHalfOpenProgress() is not { } progress || progress.Generation != heldLocal)
        {
            return false;
        }

        long before = shared.Breaker.Generation;
        long rejected = counts.Rejected - Math.Max(shared.Last.Rejected, shared.RejectedAtGrant); // demand since the last grant
        int newSuccesses = progress.Successes - reported;
        if (newSuccesses > 0)
        {
            var reply = await store.ProbeSucceededAsync(shared, heldCluster, newSuccesses, stop).ConfigureAwait(false);
            if (reply is null)
            {
                return true;
            }

            if (reply.Code > 0)
            {
                lock (shared.Gate)
                {
                    if (shared.HeldLocalGeneration == heldLocal)
                    {
                        shared.ReportedSuccesses += newSuccesses;
                        shared.Leased = Math.Max(0, shared.Leased - newSuccesses);
                    }
                }
            }

            adopter.Observe(shared, reply, ViewSource.OwnTransition, before);
            return true;
        }

        if (rejected > 0 && progress.FreeSlots == 0 && progress.UngrantedSlots > 0)
        {
            // Demand: calls were rejected for want of a probe slot. Claim one permit of the shared round per tick, so
            // that when several replicas have traffic the probes spread over them.
            var reply = await store.ClaimAsync(shared, heldCluster, 1, stop).ConfigureAwait(false);
            if (reply is null)
            {
                return true;
            }

            if (reply.Code == 1 && reply.Extra > 0)
            {
                lock (shared.Gate)
                {
                    if (shared.HeldLocalGeneration == heldLocal)
                    {
                        shared.Breaker.GrantProbes(heldLocal, (int)reply.Extra);
                        shared.Leased += (int)reply.Extra;
                        shared.UnusedAtLastTick = 0; // a fresh grant gets a whole tick to be used
                        shared.RejectedAtGrant = shared.Breaker.ReadCallCounts().Rejected;
                    }
                }
            }

            adopter.Observe(shared, reply, ViewSource.Poll, before);
            return true;
        }

        return await RenewAsync(shared, heldLocal, heldCluster, progress, before, stop).ConfigureAwait(false);
    }

    /// <summary>
    /// Keeps this replica's lease on the permits it holds alive, and gives back the ones its callers left unused for a
    /// whole tick (a replica that claimed a permit and then lost its traffic would otherwise strand it until the
    /// round's deadline, while every other replica rejects). A replica that dies stops renewing: its lease runs out
    /// (<see cref="CoordinatorContext.LeaseMs"/>) and the next claim anywhere returns its permits to the round.
    /// </summary>
    private async Task<bool> RenewAsync(SharedBreaker shared, long heldLocal, long heldCluster, HalfOpenProgress progress, long before,
        CancellationToken stop)
    {
        int keep;
        lock (shared.Gate)
        {
            if (shared.Leased == 0 || shared.HeldLocalGeneration != heldLocal)
            {
                return false;
            }

            // Only slots that were already free at the last tick and still are: a revoked slot is never one a caller
            // holds (HalfOpenProbes.Revoke), and one claimed meanwhile stays claimed and is reported as a probe.
            int idle = Math.Min(progress.FreeSlots, shared.UnusedAtLastTick);
            int revoked = idle > 0 ? shared.Breaker.RevokeProbes(heldLocal, idle) : 0;
            shared.Leased -= revoked;
            shared.UnusedAtLastTick = progress.FreeSlots - revoked;
            keep = shared.Leased;
        }

        var reply = await store.LeaseAsync(shared, heldCluster, keep, stop).ConfigureAwait(false);
        if (reply is not null)
        {
            adopter.Observe(shared, reply, ViewSource.Poll, before);
        }

        return true;
    }
}
