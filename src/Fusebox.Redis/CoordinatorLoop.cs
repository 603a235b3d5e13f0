using Fusebox.Coordination;

namespace Fusebox.Redis;

/// <summary>
/// The coordinator's one background loop: drains the <see cref="ChangeQueue"/>, ticks every breaker every
/// <see cref="RedisStateOptions.FlushInterval"/> (repair, first sync, shared round, window, poll, write-back), adopts
/// pub/sub messages, and falls back to local state when Redis fails, reconnecting every
/// <see cref="RedisStateOptions.ReconnectInterval"/>. All waiting is on the coordinator's clock.
/// </summary>
internal sealed class CoordinatorLoop(CoordinatorContext context, RedisLink link, SharedStateStore store, SharedBreakerSet breakers,
    ChangeQueue queue, StateAdopter adopter, ChangePublisher publisher, WindowReporter window, SharedRound round, MessageReceiver messages,
    BreakerFaults faults)
{
    private long _nextRetry;
    private long _nextTick;
    private long _idleWaits;

    /// <summary>For tests: how often the loop went idle (waited for work or for its next tick).</summary>
    public long IdleWaits => Volatile.Read(ref _idleWaits);

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await StepAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (RedisLink.IsRedisFailure(ex))
            {
                EnterFallback(ex);
            }
#pragma warning disable CA1031 // the loop must survive its own bugs: breakers keep working locally meanwhile
            catch (Exception ex)
#pragma warning restore CA1031
            {
                RedisStateLog.UnexpectedError(context.Logger, ex);
                EnterFallback(ex);
            }

            try
            {
                await WaitForWorkAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
        }
    }

    private async Task WaitForWorkAsync(CancellationToken stop)
    {
        if (link.Available && !queue.IsEmpty)
        {
            return;
        }

        long due = link.Available ? _nextTick : _nextRetry;
        long delay = Math.Clamp(due - context.Clock.NowMs, 0, 60_000);
        if (delay == 0)
        {
            return;
        }

        Interlocked.Increment(ref _idleWaits);
        await queue.WaitAsync(TimeSpan.FromMilliseconds(delay), context.Clock.Provider, stop).ConfigureAwait(false);
    }

    private async Task StepAsync(CancellationToken stop)
    {
        if (!link.Available)
        {
            await DrainAsync(stop).ConfigureAwait(false); // records manual changes to publish later
            if (context.Clock.NowMs < _nextRetry)
            {
                return;
            }

            await RecoverAsync(stop).ConfigureAwait(false);
            return;
        }

        breakers.Discover();
        await DrainAsync(stop).ConfigureAwait(false);
        long now = context.Clock.NowMs;
        if (now >= _nextTick)
        {
            _nextTick = now + context.FlushIntervalMs;
            await Task.WhenAll(breakers.Shared().Select(s => TickAsync(s, stop))).ConfigureAwait(false);
        }
    }

    /// <summary>Connects (first time) or checks Redis is back, subscribes, publishes manual changes made meanwhile and
    /// reconciles every breaker with the shared state. Throws on a Redis failure (the caller falls back again).</summary>
    private async Task RecoverAsync(CancellationToken stop)
    {
        _nextRetry = context.Clock.NowMs + context.ReconnectIntervalMs;
        await link.ConnectAsync(messages.OnMessage, stop).ConfigureAwait(false);
        breakers.Discover();
        var all = breakers.Shared();
        foreach (var shared in all)
        {
            WindowReporter.Skip(shared); // counts made during the outage are stale: not flushed
        }

        await Task.WhenAll(all.Select(s => ResyncAsync(s, stop))).ConfigureAwait(false);
        link.MarkAvailable(all.Length);
        _nextTick = 0;
    }

    /// <summary>Publishes what was kept, reads and reconciles, writes back: after an outage, or when a faulted breaker is
    /// retried. A failure of this breaker's keys alone (Redis answers) leaves it faulted; any other failure throws.</summary>
    private async Task ResyncAsync(SharedBreaker shared, CancellationToken stop)
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

    private void EnterFallback(Exception ex)
    {
        link.MarkUnavailable(ex);
        _nextRetry = context.Clock.NowMs + context.ReconnectIntervalMs;
        foreach (var shared in breakers.All)
        {
            lock (shared.Gate)
            {
                adopter.Release(shared, "redis unavailable");
            }
        }
    }

    private async Task DrainAsync(CancellationToken stop)
    {
        while (queue.TryDequeue(out var work))
        {
            var shared = work.Shared;
            try
            {
                if (shared.Detached)
                {
                    work.Done?.TrySetResult(false);
                }
                else if (!link.Available || faults.Waiting(shared))
                {
                    ChangeQueue.ApplyWhileUnavailable(work); // manual changes are kept for the breaker's recovery
                }
                else
                {
                    try
                    {
                        await publisher.HandleAsync(work, stop).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (RedisLink.IsRedisFailure(ex))
                    {
                        if (!await faults.IsolateAsync(shared, ex, stop).ConfigureAwait(false))
                        {
                            EnterFallback(ex);
                        }

                        ChangeQueue.ApplyWhileUnavailable(work);
                    }
                }
            }
            finally
            {
                if (work.Publishes)
                {
                    Interlocked.Decrement(ref shared.PendingPublishes);
                }
            }
        }
    }

    private async Task TickAsync(SharedBreaker shared, CancellationToken stop)
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

        long now = context.Clock.NowMs;
        bool synced = await round.TickAsync(shared, view, counts, stop).ConfigureAwait(false);
        if (view.State is BreakerState.Closed or BreakerState.Disabled)
        {
            synced |= await window.FlushAsync(shared, stop).ConfigureAwait(false);
        }
        else
        {
            WindowReporter.Skip(shared, counts); // counts outside the closed state are not shared
        }

        if (!synced && now - shared.LastSyncAt >= context.PollIntervalMs)
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
