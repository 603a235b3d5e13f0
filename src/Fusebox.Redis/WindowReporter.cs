using Fusebox.Coordination;

namespace Fusebox.Redis;

/// <summary>
/// Reports a breaker's window to the cluster: the calls and failures since the last flush (read from the breaker's
/// lifetime counters, so the call path pays nothing), and this replica's trip vote after a local trip in
/// <see cref="SharingMode.Quorum"/> mode. The script adds them to the current bucket and decides on the whole window.
/// </summary>
internal sealed class WindowReporter(CoordinatorContext context, SharedStateStore store, StateAdopter adopter)
{
    /// <summary>Flushes the calls and failures since the last flush; false when there were none (and no vote).</summary>
    /// <param name="shared">The breaker.</param>
    /// <param name="stop">Stops the loop.</param>
    /// <param name="vote">The local breaker just tripped: record this replica as one that gave up, for the quorum.</param>
    public async Task<bool> FlushAsync(SharedBreaker shared, CancellationToken stop, bool vote = false)
    {
        long before = shared.Breaker.Generation;
        var counts = shared.Breaker.ReadCallCounts();
        long failures = counts.Failed - shared.Last.Failed;
        long calls = counts.Successful - shared.Last.Successful + failures;
        shared.Last = counts;
        lock (shared.Gate)
        {
            if (shared.DiscardCounts)
            {
                shared.DiscardCounts = false;
                calls = 0;
            }
        }

        if (calls <= 0 && !vote)
        {
            return false;
        }

        var view = await store.FlushAsync(shared, calls, failures, vote, stop).ConfigureAwait(false);
        if (view is null)
        {
            return true; // corrupt: repaired at the next tick
        }

        if (view.Code == 2)
        {
            context.Metrics.RecordDecision(shared.Name, won: true);
            RedisStateLog.Won(context.Logger, shared.Name, BreakerState.Open, context.ReplicaId, view.Description);
        }

        adopter.Observe(shared, view, ViewSource.OwnTransition, before);
        return true;
    }

    /// <summary>Counts made while the shared state was not closed (or while Redis was away) are not shared: skip them.</summary>
    public static void Skip(SharedBreaker shared) => shared.Last = shared.Breaker.ReadCallCounts();

    public static void Skip(SharedBreaker shared, CallCounts counts) => shared.Last = counts;
}
