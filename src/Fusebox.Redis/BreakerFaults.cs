namespace Fusebox.Redis;

/// <summary>
/// Tells a fault of one breaker's keys from Redis being unavailable. In a Redis Cluster whose master is down with no
/// replica to take over (and <c>cluster-require-full-coverage no</c>), only the operations on that master's slots fail:
/// the breakers whose keys live on the other masters must stay shared. So when one breaker's operation fails, a ping
/// decides: Redis answers, and that breaker alone runs locally until its retry (every
/// <see cref="RedisStateOptions.ReconnectInterval"/>); Redis does not answer, and the whole replica falls back as before.
/// Without this, one dead master sent every breaker of every replica to local fallback for as long as it was down.
/// </summary>
internal sealed class BreakerFaults(CoordinatorContext context, RedisLink link, StateAdopter adopter)
{
    private Task<bool>? _ping;

    /// <summary>After an operation of <paramref name="shared"/> failed: true when the fault is that breaker's alone (it now
    /// runs locally), false when Redis itself does not answer (the caller falls back for every breaker, and
    /// <see cref="RedisLink.MarkUnavailable"/> counts the error).</summary>
    public async Task<bool> IsolateAsync(SharedBreaker shared, Exception failure, CancellationToken stop)
    {
        if (!await PingAsync(stop).ConfigureAwait(false))
        {
            return false;
        }

        context.Metrics.RecordError(failure);
        bool first = !shared.Faulted;
        Volatile.Write(ref shared.FaultedUntil, context.Clock.NowMs + context.ReconnectIntervalMs);
        if (first)
        {
            lock (shared.Gate)
            {
                adopter.Release(shared, "its Redis keys are unavailable");
            }

            RedisStateLog.BreakerUnavailable(context.Logger, shared.Name, RedisLink.Describe(failure, context.Options.OperationTimeout));
        }

        return true;
    }

    /// <summary>True when Redis answers a ping now (shared with the other callers of the moment, as below).</summary>
    public Task<bool> RedisAnswersAsync(CancellationToken stop) => PingAsync(stop);

    /// <summary>
    /// One ping answers every breaker whose operation failed at the same time: when Redis itself is down, every breaker of a
    /// tick fails together, and a ping each would be thousands of them. A caller that finds a ping in flight awaits it.
    /// Two callers may both find none and start one each (the compare-and-swap keeps one, the other's ping still
    /// completes and is simply not shared): at worst a second ping, never a wrong answer, since both ask Redis now.
    /// </summary>
    private Task<bool> PingAsync(CancellationToken stop)
    {
        var current = Volatile.Read(ref _ping);
        if (current is { IsCompleted: false })
        {
            return current;
        }

        var mine = link.AnswersAsync(stop);
        return Interlocked.CompareExchange(ref _ping, mine, current) == current ? mine : Volatile.Read(ref _ping) ?? mine;
    }

    /// <summary>True while the breaker is faulted and its retry is not due yet (the loop leaves it alone).</summary>
    public bool Waiting(SharedBreaker shared)
    {
        long until = Volatile.Read(ref shared.FaultedUntil);
        return until != 0 && context.Clock.NowMs < until;
    }

    /// <summary>The breaker's keys answered again (its retry reconciled it).</summary>
    public void Restored(SharedBreaker shared)
    {
        if (shared.Faulted)
        {
            Volatile.Write(ref shared.FaultedUntil, 0);
            RedisStateLog.BreakerRestored(context.Logger, shared.Name);
        }
    }
}
