using Fusebox.Coordination;

namespace Fusebox.Redis;

/// <summary>
/// The coordinator's one background loop: drains the <see cref="ChangeQueue"/> (<see cref="ChangeDrain"/>), and every
/// <see cref="RedisStateOptions.FlushInterval"/> reads the change log once and ticks the breakers that have work (repair,
/// first sync, shared round, window, the reads the <see cref="ReadSchedule"/> asks for, write-back); idle breakers cost
/// nothing but their share of the sweep. Appends what it committed to the change log, one batch per drain and per tick.
/// Falls back to local state when Redis fails, reconnecting every <see cref="RedisStateOptions.ReconnectInterval"/>.
/// All waiting is on the coordinator's clock.
/// </summary>
internal sealed class CoordinatorLoop(CoordinatorContext context, RedisLink link, SharedBreakerSet breakers, ChangeQueue queue,
    StateAdopter adopter, MessageReceiver messages, ChangeLog log, ChangeDrain drain, BreakerTick ticks,
    ReplicaStatusBoard replicas)
{
    private readonly ReadSchedule _schedule = new(context);
    private long _nextLogRead;
    /// <summary>The most Redis operations a tick or a recovery has in flight at once (see <see cref="InBatchesAsync"/>).</summary>
    internal const int MaxConcurrentOperations = 256;

    private long _nextRetry;
    private long _nextTick;
    private long _idleWaits;
    private long _ticks;
    private bool _parked;
    private Action? _onWaiting;

    /// <summary>For tests: how often the loop went idle (waited for work or for its next tick).</summary>
    public long IdleWaits => Volatile.Read(ref _idleWaits);

    /// <summary>For tests on a fake clock: ticks completed, and whether the loop now waits with its timer set (advancing
    /// the clock then runs the next tick).</summary>
    public (long Ticks, bool Parked) Progress => (Volatile.Read(ref _ticks), Volatile.Read(ref _parked));

    /// <summary>For tests: the breakers the sweep has marked for reading so far.</summary>
    public long Swept => _schedule.Swept;

    public async Task RunAsync(CancellationToken stop)
    {
        _onWaiting = () =>
        {
            Interlocked.Increment(ref _idleWaits);
            Volatile.Write(ref _parked, true);
        };
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

        await queue.WaitAsync(TimeSpan.FromMilliseconds(delay), context.Clock.Provider, stop, _onWaiting).ConfigureAwait(false);
        Volatile.Write(ref _parked, false);
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
            var all = breakers.Shared();
            if (all.Length > 0 && now >= _nextLogRead) // nothing shared (Local mode only): nothing written, not even the log
            {
                _nextLogRead = now + context.PollIntervalMs;
                var read = await log.ReadAsync(stop).ConfigureAwait(false);
                if (read.Resync)
                {
                    _schedule.ResyncAll(all);
                }

                _schedule.Add(read.Changes);
            }

            _schedule.Plan(all, name => breakers.TryGet(name, out var s) && s.Mode != SharingMode.Local ? s : null, now);
            var worked = all.Where(ticks.HasWork).ToArray();
            await InBatchesAsync(worked, s => ticks.TickAsync(s, stop)).ConfigureAwait(false);
            await replicas.WriteAsync(worked, breakers.Status, stop).ConfigureAwait(false); // idle breakers: nothing
            await log.AppendCommittedAsync(stop).ConfigureAwait(false);
            Interlocked.Increment(ref _ticks);
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

        if (all.Length > 0)
        {
            await log.AnchorAsync(stop).ConfigureAwait(false); // before the reads: a change committed after them is in the log
        }
        else
        {
            log.Forget(); // anchored at the first read once a breaker is shared
        }

        await InBatchesAsync(all, s => ticks.ResyncAsync(s, stop)).ConfigureAwait(false);
        replicas.MarkAll(all); // back from a fallback: each breaker's status is written at the next tick
        link.MarkAvailable(all.Length);
        _nextTick = 0;
        _nextLogRead = 0;
    }

    /// <summary>
    /// Runs <paramref name="work"/> for the breakers <see cref="MaxConcurrentOperations"/> at a time. Each operation has
    /// its own timeout from the moment it is sent, and the one connection serves them in order: 10,000 sent at once (a
    /// recovery reads every breaker) queue behind each other, so on a slow or busy server the last ones time out before
    /// Redis reaches them, the whole recovery fails and starts again, and the replica never becomes available. A batch
    /// of 256 keeps the queue short enough for its operations to finish within the timeout.
    /// </summary>
    private static async Task InBatchesAsync(IEnumerable<SharedBreaker> breakers, Func<SharedBreaker, Task> work)
    {
        foreach (var batch in breakers.Chunk(MaxConcurrentOperations))
        {
            await Task.WhenAll(batch.Select(work)).ConfigureAwait(false);
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
        if (await drain.DrainAsync(stop).ConfigureAwait(false) is { } down)
        {
            EnterFallback(down);
            return;
        }

        if (link.Available)
        {
            await log.AppendCommittedAsync(stop).ConfigureAwait(false);
        }
    }
}
