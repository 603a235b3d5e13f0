using Fusebox.Coordination;

namespace Fusebox.Redis;

/// <summary>
/// One breaker's part of a loop tick: retry a faulted breaker, repair corrupt keys, the first sync, the shared round,
/// the window flush, the read the <see cref="ReadSchedule"/> asked for, the write-back. A failure of this breaker's keys
/// alone (Redis answers) leaves it faulted; a failure of Redis itself throws to the loop, which falls back.
/// </summary>
internal sealed class BreakerTick(CoordinatorContext context, SharedStateStore store, StateAdopter adopter, ChangePublisher publisher,
    WindowReporter window, SharedRound round, BreakerFaults faults)
{
    /// <summary>Whether a breaker has anything to do at this tick; an idle breaker (closed, in sync, no calls since the
    /// last flush, no throttling counts to share, no read due) is skipped without an await or a Redis call. Synchronous and allocation-free.</summary>
    public bool HasWork(SharedBreaker shared)
    {
        if (shared.Faulted)
        {
            return !faults.Waiting(shared);
        }

        if (shared.ReadDue || shared.Corruption is not null || Volatile.Read(ref shared.NeedsSync) || shared.Voted)
        {
            return true;
        }

        // Read without the gate: a view or a push request written by a message handler concurrently is seen at the next
        // tick at the latest (both are single reference/bool writes, and the tick that acts on them takes the gate).
        var view = Volatile.Read(ref shared.View);
        if (Volatile.Read(ref shared.PushWanted) || view is not { State: BreakerState.Closed or BreakerState.Disabled or BreakerState.Isolated })
        {
            return true; // no view yet, or a break or round with deadlines and probes
        }

        var counts = shared.Breaker.ReadCallCounts();
        if (counts.Successful != shared.Last.Successful || counts.Failed != shared.Last.Failed)
        {
            return true;
        }

        // Throttling counts are flushed in the states whose counts are (an isolated breaker's would be due forever).
        _ = ThrottleSharing.Read(shared, context.Clock.NowMs, out bool throttleDue);
        return throttleDue && view.State != BreakerState.Isolated;
    }

    /// <summary>Publishes what was kept, reads and reconciles, writes back: after an outage, or when a faulted breaker is
    /// retried. A failure of this breaker's keys alone (Redis answers) leaves it faulted; any other failure throws.</summary>
    public async Task ResyncAsync(SharedBreaker shared, CancellationToken stop)
    {
        try
        {
            await publisher.PublishPendingManualAsync(shared, stop).ConfigureAwait(false);
            await ReadAndObserveAsync(shared, ViewSource.Recovery, stop).ConfigureAwait(false);
            await publisher.PushIfWantedAsync(shared, stop).ConfigureAwait(false);
            faults.Restored(shared);
        }
        catch (Exception ex) when (RedisLink.IsRedisFailure(ex) && !stop.IsCancellationRequested)
        {
            if (!await faults.IsolateAsync(shared, ex, stop).ConfigureAwait(false))
            {
                throw;
            }
        }
    }

    private async Task ReadAndObserveAsync(SharedBreaker shared, ViewSource source, CancellationToken stop)
    {
        long before = shared.Breaker.Generation;
        if (await store.ReadAsync(shared, stop).ConfigureAwait(false) is { } view)
        {
            adopter.Observe(shared, view, source, before);
        }
    }

    public async Task TickAsync(SharedBreaker shared, CancellationToken stop)
    {
        try
        {
            await TickCoreAsync(shared, stop).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisLink.IsRedisFailure(ex) && !stop.IsCancellationRequested)
        {
            if (!await faults.IsolateAsync(shared, ex, stop).ConfigureAwait(false))
            {
                throw; // Redis does not answer: every breaker falls back
            }
        }
        catch (Exception ex) when (!RedisLink.IsRedisFailure(ex) && ex is not OperationCanceledException)
        {
            RedisStateLog.UnexpectedError(context.Logger, ex);
        }
    }

    private async Task TickCoreAsync(SharedBreaker shared, CancellationToken stop)
    {
        if (shared.Faulted)
        {
            if (!faults.Waiting(shared))
            {
                WindowReporter.Skip(shared); // counts made while faulted are stale, as after an outage
                await ResyncAsync(shared, stop).ConfigureAwait(false);
            }

            return;
        }

        if (shared.Corruption is { } corruption)
        {
            await RepairAsync(shared, corruption, stop).ConfigureAwait(false);
            return;
        }

        if (Volatile.Read(ref shared.NeedsSync))
        {
            Volatile.Write(ref shared.NeedsSync, false);
            shared.ReadDue = false;
            await ReadAndObserveAsync(shared, ViewSource.Poll, stop).ConfigureAwait(false);
            await publisher.PushIfWantedAsync(shared, stop).ConfigureAwait(false);
            return;
        }

        var counts = shared.Breaker.ReadCallCounts();
        ClusterView? view;
        lock (shared.Gate)
        {
            view = shared.View;
        }

        if (view is null)
        {
            Volatile.Write(ref shared.NeedsSync, true);
            return;
        }

        bool readDue = shared.ReadDue;
        shared.ReadDue = false;
        bool synced = await round.TickAsync(shared, view, counts, stop).ConfigureAwait(false);
        if (view.State is BreakerState.Closed or BreakerState.Disabled)
        {
            synced |= await window.FlushAsync(shared, stop).ConfigureAwait(false);
        }
        else
        {
            WindowReporter.Skip(shared, counts); // counts outside the closed state are not shared
        }

        if (!synced && readDue)
        {
            await ReadAndObserveAsync(shared, ViewSource.Poll, stop).ConfigureAwait(false);
        }

        await publisher.PushIfWantedAsync(shared, stop).ConfigureAwait(false);
    }

    /// <summary>Removes the breaker's corrupt keys, then reconciles with what is left as after a lost state: the
    /// replicas write back the states they hold (the more severe wins), as after a flush of Redis.</summary>
    private async Task RepairAsync(SharedBreaker shared, ParsedReply corruption, CancellationToken stop)
    {
        long before = shared.Breaker.Generation;
        if (await store.RepairAsync(shared, corruption.Rejected, stop).ConfigureAwait(false) is not { } view)
        {
            return; // still corrupt (written again meanwhile): the next tick tries again
        }

        shared.Repaired();
        if (view.Extra > 0)
        {
            RedisStateLog.Repaired(context.Logger, shared.Name, view.Extra);
        }

        adopter.Observe(shared, view, ViewSource.Recovery, before);
        await publisher.PushIfWantedAsync(shared, stop).ConfigureAwait(false);
    }
}
