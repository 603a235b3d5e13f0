using Fusebox.Coordination;

namespace Fusebox.Redis;

/// <summary>
/// Reports a breaker's window to the cluster: the calls and failures since the last flush (read from the breaker's
/// lifetime counters, so the call path pays nothing), and this replica's trip vote after a local trip in
/// <see cref="SharingMode.Quorum"/> mode. The script adds them to the current bucket and decides on the whole window.
/// A breaker with adaptive throttling also shares its throttling window's counts (<see cref="ThrottleSharing"/>).
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
        var from = shared.Last;
        lock (shared.Gate)
        {
            if (shared.CountsAtClose is { } atClose)
            {
                // A close decided elsewhere was adopted since the last flush: count from it (calls and failures alike),
                // and the close emptied the window, this replica's vote with it.
                shared.CountsAtClose = null;
                from = Later(from, atClose);
                shared.Voted = false;
            }
        }

        var throttle = ThrottleSharing.Read(shared, context.Clock.NowMs, out bool throttleDue);
        long failures = counts.Failed - from.Failed;
        long calls = counts.Successful - from.Successful + failures;
        shared.Last = counts;

        // A replica whose breaker closed again after its trip (its own probes succeeded) has not given up any more.
        var ballot = vote ? Ballot.Vote : shared.Voted && shared.Breaker.GetRecordedState() == BreakerState.Closed ? Ballot.Withdraw : Ballot.None;
        if (calls <= 0 && ballot == Ballot.None && !throttleDue)
        {
            return false;
        }

        var view = await store.FlushAsync(shared, calls, failures, ballot, throttle, stop).ConfigureAwait(false);
        if (view is null)
        {
            return true; // corrupt: repaired at the next tick
        }

        if (throttle is { } sent)
        {
            ThrottleSharing.Stored(shared, sent, view, context.Clock.NowMs);
        }

        if (ballot != Ballot.None && view.Code > 0)
        {
            shared.Voted = ballot == Ballot.Vote;
        }

        if (view.Code == 2)
        {
            context.Metrics.RecordDecision(shared.Name, won: true);
            RedisStateLog.Won(context.Logger, shared.Name, BreakerState.Open, context.ReplicaId, view.Description);
        }

        adopter.Observe(shared, view, ViewSource.OwnTransition, before);
        return true;
    }

    private static CallCounts Later(CallCounts a, CallCounts b) =>
        new(Math.Max(a.Successful, b.Successful), Math.Max(a.Failed, b.Failed), Math.Max(a.Rejected, b.Rejected), Math.Max(a.Ignored, b.Ignored),
            Math.Max(a.Slow, b.Slow));

    /// <summary>Counts made while the shared state was not closed (or while Redis was away) are not shared: skip them.</summary>
    public static void Skip(SharedBreaker shared) => shared.Last = shared.Breaker.ReadCallCounts();

    public static void Skip(SharedBreaker shared, CallCounts counts) => shared.Last = counts;
}

/// <summary>What a flush says about this replica's trip vote.</summary>
internal enum Ballot
{
    /// <summary>Nothing.</summary>
    None,

    /// <summary>The local breaker just tripped: record this replica as one that gave up.</summary>
    Vote,

    /// <summary>The local breaker closed again after its vote: take the vote out of the window.</summary>
    Withdraw,
}
