using Fusebox.Coordination;

namespace Fusebox.Redis;

/// <summary>
/// Publishes this replica's changes to the shared state: manual changes and commands (for every replica), Any-mode
/// trips, failed probes of a held round, Quorum-mode trip votes; manual changes made while Redis was away; and local
/// states that reconciliation decided to write back (<see cref="SharedBreaker.PushWanted"/>).
/// </summary>
internal sealed class ChangePublisher(CoordinatorContext context, SharedStateStore store, StateAdopter adopter, WindowReporter window)
{
    public async Task HandleAsync(PendingChange work, CancellationToken stop)
    {
        var shared = work.Shared;
        long before = shared.Breaker.Generation;
        if (work.Command is { } command)
        {
            var view = await store.SetAsync(shared, command, work.Reason, stop).ConfigureAwait(false);
            Observe(shared, view, ViewSource.OwnCommand, before);
            work.Done?.TrySetResult(view is not null);
            return;
        }

        var e = work.Change!;
        switch (e.Reason)
        {
            case TransitionReason.ManualIsolate or TransitionReason.ManualDisable or TransitionReason.ManualReset:
                Observe(shared, await store.SetAsync(shared, e.NewState, e.Description, stop).ConfigureAwait(false), ViewSource.OwnManual, before);
                break;

            case TransitionReason.ConsecutiveFailures or TransitionReason.FailureRate or TransitionReason.SlowCallRate when shared.Mode == SharingMode.Any:
                // One replica opening opens all: compare-and-set on the shared state being closed (whatever its
                // generation: a reset seen late is older than this trip). Open, half-open or manual states win.
                Observe(shared, await store.TransitionAsync(shared, "open", BreakerState.Open, "", -1, (int)BreakerState.Closed,
                    due: false, $"replica {context.ReplicaId}: {e.Description}", stop).ConfigureAwait(false), ViewSource.OwnTransition, before);
                break;

            case TransitionReason.ConsecutiveFailures or TransitionReason.FailureRate or TransitionReason.SlowCallRate:
                // Quorum: the cluster decides; flush the counts now with this replica's trip vote.
                await window.FlushAsync(shared, stop, vote: true).ConfigureAwait(false);
                break;

            case TransitionReason.ProbeFailed:
                await PublishFailedProbeAsync(shared, e, before, stop).ConfigureAwait(false);
                break;

            default:
                break; // BreakElapsed, ProbesSucceeded: local rounds, nothing to share
        }
    }

    /// <summary>Publishes the manual change made while Redis was unavailable (kept for it if Redis fails again).</summary>
    public async Task PublishPendingManualAsync(SharedBreaker shared, CancellationToken stop)
    {
        BreakerState? pending;
        string? reason;
        long generation;
        lock (shared.Gate)
        {
            pending = shared.PendingManual;
            reason = shared.PendingManualReason;
            generation = shared.PendingManualGeneration;
            shared.PendingManual = null;
        }

        if (pending is not { } target)
        {
            return;
        }

        try
        {
            // Adopted back only in the generation the change left: a trip made after it while Redis was away is newer
            // (the recovery read then reconciles the two). Reading the generation now instead undid that trip.
            Observe(shared, await store.SetAsync(shared, target, reason, stop).ConfigureAwait(false), ViewSource.OwnManual, generation, publishing: false);
        }
        catch
        {
            lock (shared.Gate)
            {
                if (shared.PendingManual is null)
                {
                    (shared.PendingManual, shared.PendingManualReason, shared.PendingManualGeneration) = (target, reason, generation);
                }
            }

            throw;
        }
    }

    /// <summary>Writes the local state back when reconciliation asked for it. An open state this replica had adopted
    /// is restored with the shared break it had left (and its consecutive opens), not a full new break: after a
    /// FLUSHALL or an empty restart the outage must not last longer than it would have.</summary>
    public async Task PushIfWantedAsync(SharedBreaker shared, CancellationToken stop)
    {
        ClusterView? view, lost;
        BreakerState local;
        long localGeneration;
        bool adopted;
        lock (shared.Gate)
        {
            if (!shared.PushWanted)
            {
                return;
            }

            shared.PushWanted = false;
            view = shared.View;
            lost = shared.PushFrom;
            shared.PushFrom = null;
            local = shared.Breaker.GetRecordedState();
            localGeneration = shared.Breaker.Generation;
            adopted = shared.LocalGenerationAtSync >= 0 && localGeneration == shared.LocalGenerationAtSync;
        }

        if (view is null)
        {
            return;
        }

        string was = $"replica {context.ReplicaId} was {StateNames.Of(local)} when Redis came back";
        ClusterView? reply;
        if (local == BreakerState.Open && adopted && lost is { State: BreakerState.Open })
        {
            long left = Math.Clamp(lost.OpenUntil - context.Clock.NowMs, 1, store.Limits(shared).MaxOpenMs);
            reply = await store.TransitionAsync(shared, "restore", BreakerState.Open, view.Epoch, view.Generation, (int)view.State, due: false,
                $"{was}: the shared break it had left", stop, restoreMs: left, restoreOpens: lost.ConsecutiveOpens).ConfigureAwait(false);
        }
        else if (local == BreakerState.Open)
        {
            // A local open (a trip here while Redis was away, an Any-mode open): shared with the break it has left on
            // this replica and its consecutive opens, not a full new break, so the cluster's outage lasts no longer
            // than this replica's would have. A break already over (the breaker half-opens at its next call) is 1 ms.
            var snapshot = shared.Breaker.Snapshot();
            long left = Math.Clamp((long)Math.Ceiling((snapshot.RetryAfter ?? TimeSpan.Zero).TotalMilliseconds), 1, store.Limits(shared).MaxOpenMs);
            reply = await store.TransitionAsync(shared, "restore", BreakerState.Open, view.Epoch, view.Generation, (int)view.State, due: false,
                $"{was}: the break it had left", stop, restoreMs: left, restoreOpens: snapshot.ConsecutiveOpens).ConfigureAwait(false);
        }
        else
        {
            reply = await store.TransitionAsync(shared, "set", local, view.Epoch, view.Generation, -1, due: false, was, stop).ConfigureAwait(false);
        }

        Observe(shared, reply, ViewSource.OwnTransition, localGeneration, publishing: false);
    }

    private async Task PublishFailedProbeAsync(SharedBreaker shared, BreakerStateChangedEventArgs e, long before, CancellationToken stop)
    {
        long heldCluster;
        bool fromHeldRound;
        lock (shared.Gate)
        {
            fromHeldRound = shared.HeldLocalGeneration >= 0 && e.Generation == shared.HeldLocalGeneration + 1;
            heldCluster = shared.HeldClusterGeneration;
        }

        if (fromHeldRound)
        {
            var view = await store.TransitionAsync(shared, "reopen", BreakerState.Open, shared.View?.Epoch ?? "", heldCluster, (int)BreakerState.HalfOpen,
                due: false, $"a half-open probe failed on replica {context.ReplicaId}", stop).ConfigureAwait(false);
            Observe(shared, view, ViewSource.OwnTransition, before);
        }
    }

    private void Observe(SharedBreaker shared, ClusterView? view, ViewSource source, long before, bool publishing = true)
    {
        if (view is not null)
        {
            adopter.Observe(shared, view, source, before, publishing);
        }
    }
}
