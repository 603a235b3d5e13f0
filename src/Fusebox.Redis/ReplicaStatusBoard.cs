using System.Collections.Concurrent;
using Fusebox.Coordination;
using StackExchange.Redis;

namespace Fusebox.Redis;

/// <summary>
/// Each replica's own status of each shared breaker, in the hash <c>prefix:{name}:replicas</c> (field: replica id;
/// value: <see cref="ReplicaStatusCodec"/>), for an operator's per-replica view. A replica writes its field only when
/// its local state, scope or fallback changes — at a state change of the breaker (<see cref="MarkChanged"/>), after a
/// recovery (<see cref="MarkAll"/>), or when a tick that had work for the breaker leaves a different status — so an
/// idle breaker costs nothing. Each write gives the hash <see cref="Ttl"/> again: the field of a replica that stopped
/// stays until then. Read on demand, one breaker at a time (<see cref="ReadAsync"/>). A write that fails is judged as
/// a tick's operation is (<see cref="BreakerFaults"/>): a fault of this breaker's keys alone (a dead cluster master)
/// faults that breaker and the write waits until it is restored; only Redis not answering makes the loop fall back.
/// </summary>
internal sealed class ReplicaStatusBoard(CoordinatorContext context, RedisLink link, BreakerFaults faults)
{
    /// <summary>How long the hash outlives its last write.</summary>
    public static readonly TimeSpan Ttl = TimeSpan.FromHours(24);

    /// <summary>The most fields read back; the rest are counted as skipped.</summary>
    public const int MaxReplicas = 256;

    private const string WriteScript = "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) redis.call('PEXPIRE', KEYS[1], ARGV[3]) return 1";

    private readonly ConcurrentDictionary<SharedBreaker, byte> _changed = new();
    private readonly ConcurrentDictionary<SharedBreaker, string> _written = new();

    public static RedisKey KeyOf(SharedBreaker shared) => shared.KeyBase + ":replicas";

    /// <summary>The breaker's state changed: its status is written at the next tick. Safe on any thread; allocation
    /// only for the first change of a breaker between two ticks.</summary>
    public void MarkChanged(SharedBreaker shared) => _changed.TryAdd(shared, 0);

    public void MarkAll(IEnumerable<SharedBreaker> all)
    {
        foreach (var shared in all)
        {
            MarkChanged(shared);
        }
    }

    public void Forget(SharedBreaker shared)
    {
        _changed.TryRemove(shared, out _);
        _written.TryRemove(shared, out _);
    }

    /// <summary>Writes the status of every breaker marked changed and of each of <paramref name="worked"/> whose status
    /// differs from the last one written. A Redis failure throws to the loop; the breaker stays marked.</summary>
    public async Task WriteAsync(IEnumerable<SharedBreaker> worked, Func<SharedBreaker, SharedBreakerStatus> status, CancellationToken stop)
    {
        if (_changed.IsEmpty && !worked.Any())
        {
            return;
        }

        // a faulted breaker stays marked: written once its keys answer again
        var due = _changed.Keys.Concat(worked).Distinct().Where(s => s.Mode != SharingMode.Local && !s.Detached && !s.Faulted).ToArray();
        foreach (var batch in due.Chunk(CoordinatorLoop.MaxConcurrentOperations))
        {
            await Task.WhenAll(batch.Select(s => WriteOneAsync(s, status(s), stop))).ConfigureAwait(false);
        }
    }

    private async Task WriteOneAsync(SharedBreaker shared, SharedBreakerStatus status, CancellationToken stop)
    {
        _changed.TryRemove(shared, out _);
        string key = ReplicaStatusCodec.Key(status);
        if (_written.TryGetValue(shared, out var last) && last == key)
        {
            return;
        }

        try
        {
            RedisValue[] args = [context.ReplicaId, ReplicaStatusCodec.Encode(status, context.Clock.UtcNow), (long)Ttl.TotalMilliseconds];
            await link.EvalAsync(WriteScript, [KeyOf(shared)], args, stop).ConfigureAwait(false);
            _written[shared] = key;
        }
        catch (RedisServerException ex) when (IsWrongType(ex))
        {
            // Redis answered with an error for this key alone (e.g. WRONGTYPE: something else wrote it): that breaker's
            // problem, never a reason to fall back for all. Not retried until the status changes again.
            _written[shared] = key;
        }
        catch (Exception ex) when (RedisLink.IsRedisFailure(ex) && !stop.IsCancellationRequested)
        {
            MarkChanged(shared); // written at a later tick
            if (!await faults.IsolateAsync(shared, ex, stop).ConfigureAwait(false))
            {
                throw; // Redis does not answer: every breaker falls back
            }
        }
    }

    /// <summary>Every replica's status of <paramref name="shared"/>; corrupt fields are skipped and counted, a Redis
    /// failure is reported in <see cref="ReplicaReport.Unavailable"/>, never thrown.</summary>
    public async Task<ReplicaReport> ReadAsync(SharedBreaker shared, CancellationToken cancellationToken)
    {
        if (!link.Available)
        {
            return new ReplicaReport { Replicas = [], Unavailable = "Redis unavailable" };
        }

        HashEntry[] entries;
        try
        {
            entries = await link.RunAsync(db => db.HashGetAllAsync(KeyOf(shared)), cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (IsWrongType(ex))
        {
            return new ReplicaReport { Replicas = [], Unavailable = "the replicas key is not a hash" }; // Redis answered: this key only
        }
        catch (Exception ex) when (RedisLink.IsRedisFailure(ex) && !cancellationToken.IsCancellationRequested)
        {
            return new ReplicaReport { Replicas = [], Unavailable = "Redis unavailable" };
        }

        var replicas = new List<ReplicaStatus>();
        int skipped = 0;
        foreach (var entry in entries)
        {
            if (replicas.Count < MaxReplicas && ReplicaStatusCodec.TryDecode(entry.Name, entry.Value, out var status))
            {
                replicas.Add(status);
            }
            else
            {
                skipped++;
            }
        }

        return new ReplicaReport { Replicas = [.. replicas.OrderBy(r => r.ReplicaId, StringComparer.Ordinal)], Skipped = skipped };
    }

    /// <summary>Redis answered that the key holds another type: something else wrote it (a CLUSTERDOWN or any other
    /// error is judged as a failure of the breaker's keys or of Redis instead).</summary>
    private static bool IsWrongType(RedisServerException ex) => ex.Message.Contains("WRONGTYPE", StringComparison.Ordinal);
}
