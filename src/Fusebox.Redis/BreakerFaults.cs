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
    /// <summary>After an operation of <paramref name="shared"/> failed: true when the fault is that breaker's alone (it now
    /// runs locally), false when Redis itself does not answer (the caller falls back for every breaker).</summary>
    public async Task<bool> IsolateAsync(SharedBreaker shared, Exception failure, CancellationToken stop)
    {
        context.Metrics.RecordError(failure);
        if (!await link.AnswersAsync(stop).ConfigureAwait(false))
        {
            return false;
        }

        bool first = Volatile.Read(ref shared.FaultedUntil) == 0;
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

    /// <summary>True while the breaker is faulted and its retry is not due yet (the loop leaves it alone).</summary>
    public bool Waiting(SharedBreaker shared)
    {
        long until = Volatile.Read(ref shared.FaultedUntil);
        return until != 0 && context.Clock.NowMs < until;
    }

    /// <summary>The breaker's keys answered again (its retry reconciled it).</summary>
    public void Restored(SharedBreaker shared)
    {
        if (Volatile.Read(ref shared.FaultedUntil) != 0)
        {
            Volatile.Write(ref shared.FaultedUntil, 0);
            RedisStateLog.BreakerRestored(context.Logger, shared.Name);
        }
    }
}
