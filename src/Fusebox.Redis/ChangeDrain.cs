namespace Fusebox.Redis;

/// <summary>
/// Publishes the queued local changes (<see cref="ChangeQueue"/>) in batches: everything queued is taken at once and
/// the breakers' changes are published concurrently, so StackExchange.Redis pipelines them on the connection (a burst of
/// 1,000 transitions costs about one round trip, not 1,000 awaited one after another). The changes of one breaker stay
/// in order: they are published one after the other, each after the reply to the one before.
/// </summary>
internal sealed class ChangeDrain(RedisLink link, ChangeQueue queue, ChangePublisher publisher, BreakerFaults faults)
{
    // The Redis failure that made this drain give up on Redis (every breaker falls back once the batch is done), or null.
    private Exception? _down;

    /// <summary>Publishes (or, while Redis is unavailable, applies and keeps) everything queued. Returns the Redis failure
    /// that makes every breaker fall back, or null; the caller enters the fallback.</summary>
    public async Task<Exception?> DrainAsync(CancellationToken stop)
    {
        _down = null;
        while (!queue.IsEmpty && Volatile.Read(ref _down) is null)
        {
            var byBreaker = new Dictionary<SharedBreaker, List<PendingChange>>(ReferenceEqualityComparer.Instance);
            while (queue.TryDequeue(out var work))
            {
                if (!byBreaker.TryGetValue(work.Shared, out var list))
                {
                    byBreaker[work.Shared] = list = [];
                }

                list.Add(work);
            }

            await Task.WhenAll(byBreaker.Values.Select(changes => PublishInOrderAsync(changes, stop))).ConfigureAwait(false);
        }

        // Redis went down during the batch: what is still queued applies here and is kept for the recovery.
        while (Volatile.Read(ref _down) is not null && queue.TryDequeue(out var rest))
        {
            await PublishAsync(rest, stop).ConfigureAwait(false); // with _down set: applied here, nothing sent
        }

        return _down;
    }

    private async Task PublishInOrderAsync(List<PendingChange> changes, CancellationToken stop)
    {
        foreach (var work in changes)
        {
            await PublishAsync(work, stop).ConfigureAwait(false);
        }
    }

    private async Task PublishAsync(PendingChange work, CancellationToken stop)
    {
        var shared = work.Shared;
        try
        {
            if (shared.Detached)
            {
                work.Done?.TrySetResult(false);
            }
            else if (!link.Available || Volatile.Read(ref _down) is not null || faults.Waiting(shared))
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
                        Interlocked.CompareExchange(ref _down, ex, null);
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
