using System.Globalization;
using Fusebox.Coordination;
using StackExchange.Redis;

namespace Fusebox.Redis;

/// <summary>
/// The I/O of the shared state, and nothing else: typed calls over <see cref="RedisScripts"/>, the key layout, and
/// validation of every reply at the boundary (<see cref="ReplyParser"/>). A reply that is corrupt, or a script the server
/// rejects because of what one breaker's keys hold, is that breaker's problem: it is recorded on the breaker
/// (<see cref="SharedBreaker.Corruption"/>, logged once, repaired at its next tick) and the call returns null; it never
/// makes Redis "unavailable" for the other breakers. Connection failures and timeouts throw, as before.
/// </summary>
internal sealed class SharedStateStore(CoordinatorContext context, RedisLink link, ChangeLog log)
{
    public Task<ClusterView?> ReadAsync(SharedBreaker shared, CancellationToken stop) =>
        EvalAsync(shared, RedisScripts.Read, [shared.StateKey], [StateTtl], stop);

    public Task<ClusterView?> ClaimAsync(SharedBreaker shared, long clusterGeneration, int want, CancellationToken stop) =>
        EvalAsync(shared, RedisScripts.Claim, [shared.StateKey, shared.LeaseKey],
            [shared.View?.Epoch ?? "", clusterGeneration, want, context.ReplicaId, context.LeaseMs], stop);

    /// <summary>Renews the lease of the <paramref name="keep"/> permits this replica still holds; returns the rest.</summary>
    public Task<ClusterView?> LeaseAsync(SharedBreaker shared, long clusterGeneration, int keep, CancellationToken stop) =>
        EvalAsync(shared, RedisScripts.Lease, [shared.StateKey, shared.LeaseKey],
            [shared.View?.Epoch ?? "", clusterGeneration, context.ReplicaId, keep, context.LeaseMs], stop);

    public Task<ClusterView?> ProbeSucceededAsync(SharedBreaker shared, long clusterGeneration, int successes, CancellationToken stop) =>
        EvalAsync(shared, RedisScripts.ProbeSucceeded, [shared.StateKey, shared.LeaseKey],
            [shared.View?.Epoch ?? "", clusterGeneration, successes, context.ReplicaId, StateTtl, context.ChannelName, shared.Name, context.Clock.NowMicros,
                .. BucketArgs(shared), context.LeaseMs], stop, commitCode: 2);

    /// <summary>Adds calls and failures (and a trip vote) to the current bucket and lets the script decide on the window;
    /// with <paramref name="throttle"/>, stores this replica's throttling window and reads the others' (<see cref="ThrottleSharing"/>).</summary>
    public Task<ClusterView?> FlushAsync(SharedBreaker shared, long calls, long failures, Ballot ballot, ThrottleCounts? throttle,
        CancellationToken stop)
    {
        var options = shared.Breaker.Options;
        var thresholds = Thresholds(shared);
        var known = shared.View; // one read: epoch and generation of the same view
        var (baseMs, backoff, maxMs, jitter) = Break(options);
        RedisValue[] args =
        [
            NewEpoch(), known?.Epoch ?? "", known?.Generation ?? -1, context.ReplicaId, calls, failures,
            (long)thresholds.Window.TotalMilliseconds + (2 * BucketMs(thresholds)),
            Num(thresholds.FailureRate), thresholds.MinimumCalls, thresholds.QuorumMinReplicas, Num(thresholds.QuorumFraction),
            baseMs, Num(backoff), maxMs, Num(jitter), Num(Random.Shared.NextDouble()), StateTtl, context.ChannelName, shared.Name,
            context.Clock.NowMicros, ballot switch { Ballot.Vote => "1", Ballot.Withdraw => "-1", _ => "0" }, .. BucketArgs(shared, thresholds),
        ];
        if (throttle is not { } counts)
        {
            return EvalAsync(shared, RedisScripts.Flush, [shared.StateKey], args, stop, commitCode: 2);
        }

        RedisValue[] throttled = [.. args, counts.Requests, counts.Accepts, (long)counts.Window.TotalMilliseconds];
        return EvalAsync(shared, RedisScripts.Flush, [shared.StateKey, shared.ThrottleKey], throttled, stop, commitCode: 2);
    }

    /// <summary>A manual state for every replica (closing clears the window and the backoff).</summary>
    public Task<ClusterView?> SetAsync(SharedBreaker shared, BreakerState target, string? reason, CancellationToken stop)
    {
        string what = target switch
        {
            BreakerState.Isolated => "isolated",
            BreakerState.Disabled => "disabled",
            _ => "reset",
        };
        return TransitionAsync(shared, "set", target, "", -1, -1, due: false,
            string.IsNullOrEmpty(reason) ? $"{what} by an operator on replica {context.ReplicaId}" : $"{what}: {reason}", stop);
    }

    /// <summary>A compare-and-set transition (see <see cref="RedisScripts.Transition"/>).</summary>
    public async Task<ClusterView?> TransitionAsync(SharedBreaker shared, string kind, BreakerState target, string expectedEpoch, long expectedGeneration,
        int expectedState, bool due, string description, CancellationToken stop, long restoreMs = 0, int restoreOpens = 0)
    {
        var options = shared.Breaker.Options;
        var (baseMs, backoff, maxMs, jitter) = Break(options);
        RedisValue[] args =
        [
            NewEpoch(), expectedEpoch, expectedGeneration, expectedState, kind, (int)target, due ? "1" : "0", context.ReplicaId, description,
            baseMs, Num(backoff), maxMs, Num(jitter), Num(Random.Shared.NextDouble()),
            options.HalfOpenPermits, options.SuccessesToClose ?? options.HalfOpenPermits, ViewLimits.RoundMs(options, context.Options), StateTtl,
            context.ChannelName, shared.Name, context.Clock.NowMicros, restoreMs, restoreOpens, .. BucketArgs(shared),
        ];
        var view = await EvalAsync(shared, RedisScripts.Transition, [shared.StateKey], args, stop, commitCode: 1).ConfigureAwait(false);
        if (view is { Code: 1 })
        {
            RedisStateLog.Won(context.Logger, shared.Name, view.State, context.ReplicaId, view.Description);
        }

        return view;
    }

    /// <summary>Removes the breaker's corrupt keys (see <see cref="RedisScripts.Repair"/>); the reply is the state after.</summary>
    public async Task<ClusterView?> RepairAsync(SharedBreaker shared, ClusterView? rejected, CancellationToken stop)
    {
        long requestedAt = context.Clock.NowMs;
        try
        {
            RedisKey[] keys = shared.Breaker.ReadThrottleCounts() is null ? [shared.StateKey] : [shared.StateKey, shared.ThrottleKey];
            var result = await link.EvalAsync(RedisScripts.Repair, keys,
                [rejected?.Epoch ?? "", rejected?.Generation ?? -1, .. BucketArgs(shared)], stop).ConfigureAwait(false);
            return ReplyParser.Parse(result, Limits(shared), context.Clock.NowMs, requestedAt).View;
        }
        catch (RedisServerException ex) when (IsAboutTheKeys(ex))
        {
            RedisStateLog.ScriptRejected(context.Logger, shared.Name, ex); // still this breaker's problem: try again next tick
            return null;
        }
    }

    // commitCode: the reply code with which the script says it committed a transition (0: it never does); the breaker
    // then goes into this replica's next change-log append.
    private async Task<ClusterView?> EvalAsync(SharedBreaker shared, string script, RedisKey[] keys, RedisValue[] args, CancellationToken stop,
        int commitCode = 0)
    {
        ParsedReply parsed;
        long requestedAt = context.Clock.NowMs;
        try
        {
            var result = await link.EvalAsync(script, keys, args, stop).ConfigureAwait(false);
            parsed = ReplyParser.Parse(result, Limits(shared), context.Clock.NowMs, requestedAt);
        }
        catch (RedisServerException ex) when (IsAboutTheKeys(ex))
        {
            // The server answered, so it is available; what it refused is this breaker's data.
            RedisStateLog.ScriptRejected(context.Logger, shared.Name, ex);
            parsed = ParsedReply.Corrupt("a script failed on the breaker's keys");
        }

        if (parsed.View is { } view)
        {
            if (commitCode > 0 && view.Code == commitCode)
            {
                log.Committed(shared.Name, view);
            }

            return view;
        }

        shared.MarkCorrupt(parsed);
        if (shared.TryLogCorruption())
        {
            RedisStateLog.Corrupt(context.Logger, shared.Name, shared.StateKey.ToString(), parsed.Corruption!);
        }

        return null;
    }

    /// <summary>Errors caused by the keys' content (a Lua runtime error, a wrong type the scripts did not catch), as
    /// opposed to server-wide ones (READONLY after a failover, LOADING, OOM, BUSY), which mean "unavailable".</summary>
    private static bool IsAboutTheKeys(RedisServerException ex) =>
        ex.Message.StartsWith("WRONGTYPE", StringComparison.Ordinal) ||
        ex.Message.Contains("user_script", StringComparison.Ordinal) ||
        ex.Message.Contains("Error running script", StringComparison.Ordinal);

    /// <summary>Bucket key base, bucket ms and buckets per window: the scripts name the buckets from Redis server time,
    /// so skewed replica clocks cannot split the window (all keys carry the breaker's hash tag: one Cluster slot).</summary>
    private RedisValue[] BucketArgs(SharedBreaker shared) => BucketArgs(shared, Thresholds(shared));

    private RedisValue[] BucketArgs(SharedBreaker shared, ClusterThresholds thresholds)
    {
        long bucketMs = BucketMs(thresholds);
        return [shared.BucketKeyBase, bucketMs, (long)Math.Ceiling(thresholds.Window.TotalMilliseconds / bucketMs)];
    }

    /// <summary>The breaker's bucket width: <see cref="RedisStateOptions.BucketDuration"/>, or wider where its window would
    /// need more than <see cref="RedisStateOptions.MaxBuckets"/> buckets.</summary>
    private long BucketMs(ClusterThresholds thresholds)
    {
        long windowMs = (long)thresholds.Window.TotalMilliseconds;
        long widest = (windowMs + RedisStateOptions.MaxBuckets - 1) / RedisStateOptions.MaxBuckets;
        return Math.Max((long)context.Options.BucketDuration.TotalMilliseconds, widest);
    }

    /// <summary>The caps a reply for this breaker is checked against (<see cref="ViewLimits.Absolute"/>).</summary>
    public ViewLimits Limits(SharedBreaker shared) => ViewLimits.Absolute;

    private ClusterThresholds Thresholds(SharedBreaker shared) => ClusterThresholds.For(shared.Breaker.Options, context.Options, shared.Mode);

    private long StateTtl => (long)context.Options.StateTimeToLive.TotalMilliseconds;

    private static (long BaseMs, double Backoff, long MaxMs, double Jitter) Break(CircuitBreakerOptions options) =>
        ((long)Math.Max(1, options.BreakDuration.TotalMilliseconds), options.BreakDurationBackoff,
            (long)(options.MaxBreakDuration?.TotalMilliseconds ?? 0), options.BreakDurationJitter);

    private static RedisValue Num(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string NewEpoch() => Guid.NewGuid().ToString("N")[..12];
}
