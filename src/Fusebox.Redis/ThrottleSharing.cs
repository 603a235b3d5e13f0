using Fusebox.Coordination;

namespace Fusebox.Redis;

/// <summary>
/// Adaptive throttling across replicas: each flush of a breaker with throttling on stores this replica's window counts
/// in the breaker's throttle hash and brings back the other replicas' sums (<see cref="RedisScripts.Flush"/>), which the
/// breaker adds to its own when computing the rejection probability
/// (<see cref="CoordinationExtensions.SetRemoteThrottleCounts"/>). A breaker without throttling sends nothing more.
/// </summary>
/// <remarks>
/// Idle cost: a flush is due for the counts alone only when they changed since they were last stored (calls, or the
/// window draining after the calls stopped), or when non-zero counts were last stored half a window ago (so neither
/// this replica's entry in Redis nor the others' sums it holds expire while its window still counts). A replica whose
/// window is empty and stays so writes nothing.
/// </remarks>
internal static class ThrottleSharing
{
    /// <summary>The window counts to send with a flush; null when the breaker has throttling off.</summary>
    /// <param name="shared">The breaker.</param>
    /// <param name="nowMs">The coordinator's clock.</param>
    /// <param name="due">True when they must be sent even if there is nothing else to flush.</param>
    public static ThrottleCounts? Read(SharedBreaker shared, long nowMs, out bool due)
    {
        due = false;
        if (shared.Breaker.ReadThrottleCounts() is not { } counts)
        {
            return null;
        }

        var sent = shared.ThrottleSent;
        bool changed = counts.Requests != sent.Requests || counts.Accepts != sent.Accepts;
        bool stale = (counts.Requests | counts.Accepts) != 0 && nowMs - shared.ThrottleSentAt >= (long)counts.Window.TotalMilliseconds / 2;
        due = changed || stale;
        return counts;
    }

    /// <summary>After a flush that carried <paramref name="sent"/>: remembers them as stored and hands the breaker the
    /// other replicas' sums of the reply (a corrupt reply hands nothing: the breaker's remote part then expires).</summary>
    public static void Stored(SharedBreaker shared, ThrottleCounts sent, ClusterView view, long nowMs)
    {
        if (view.ThrottleOthers is not { } others)
        {
            return;
        }

        shared.ThrottleSent = sent;
        shared.ThrottleSentAt = nowMs;
        shared.Breaker.SetRemoteThrottleCounts(others.Requests, others.Accepts);
    }
}
