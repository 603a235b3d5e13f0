using System.Collections.Concurrent;
using StackExchange.Redis;

namespace Fusebox.Redis;

/// <summary>A transition a replica committed, as the change log names it: the breaker, and the epoch and generation
/// the transition left (a reader that already knows them, from pub/sub, reads nothing).</summary>
internal readonly record struct LoggedChange(string Name, string Epoch, long Generation);

/// <summary>What one read of the change log found: the changes other replicas committed since the last read, or that
/// entries were lost (trimmed, flushed, failed over) and every breaker must be read again.</summary>
internal readonly record struct LogRead(IReadOnlyList<LoggedChange> Changes, bool Resync)
{
    public static readonly LogRead Nothing = new([], false);
}

/// <summary>
/// The prefix's change log: a Redis stream (<c>&lt;prefix&gt;:changes</c>) to which every replica appends the names of the
/// breakers whose shared state it changed, in batches (one <c>XADD</c> for everything a drain or a tick committed), and
/// which every replica reads from its cursor once per tick: one <c>XRANGE</c>, whatever the number of breakers, that
/// returns only the cursor's own entry while nothing changes. Pub/sub is lossy; the log is not (short of a crash between
/// a commit and its append, which the sweep covers), so a missed message is caught at the next tick.
/// </summary>
/// <remarks>
/// The state key of a breaker and the log live in different Redis Cluster slots, so a script cannot append to the log
/// itself: the replica appends after the script's reply said it committed. The cursor is the id of the last entry read,
/// and a read starts at it inclusively: when the first entry returned is not the cursor, entries this replica never read
/// are gone (trimmed past it, <c>FLUSHALL</c>, an empty restart, a failover to a node that had not got them) and it reads
/// every breaker again. A log that fails while Redis answers (its Cluster master down), or holds something that is not a
/// stream, is the log's problem only: the replica logs it once, relies on pub/sub and the sweep meanwhile, and retries every
/// <see cref="RedisStateOptions.ReconnectInterval"/> from its cursor (reading every breaker again if entries were lost
/// meanwhile; a key of another type is replaced by a new log, and every breaker read again).
/// </remarks>
internal sealed class ChangeLog(CoordinatorContext context, RedisLink link, BreakerFaults faults)
{
    /// <summary>Entries read per tick at most (the rest wait for the next tick).</summary>
    public const int MaxEntriesPerRead = 256;

    /// <summary>Breakers named in one entry at most (a bigger batch is split over several entries, appended together).</summary>
    public const int MaxNamesPerEntry = 256;

    /// <summary>The log keeps about this many entries (<c>MAXLEN ~</c>): a replica that falls further behind reads everything again.</summary>
    public const int MaxLength = 10_000;

    private readonly ConcurrentQueue<LoggedChange> _committed = new();
    private RedisValue _cursor = RedisValue.Null; // null: not anchored (start, or after a fault); the next read anchors and resyncs
    private long _retryAt;
    private long _nextExpire;
    private bool _faultLogged;
    private bool _corruptLogged;

    public RedisKey Key { get; } = context.Options.KeyPrefix + ":changes";

    /// <summary>A script this replica ran committed a transition: the breaker goes into the next append.</summary>
    public void Committed(string name, ClusterView view) => _committed.Enqueue(new LoggedChange(name, view.Epoch, view.Generation));

    /// <summary>Appends an entry naming no breaker and takes it as the cursor. At recovery, before the breakers are read:
    /// every change committed after the reads' snapshot is in the log after the cursor. False when the log is unavailable.</summary>
    public async Task<bool> AnchorAsync(CancellationToken stop)
    {
        _cursor = RedisValue.Null;
        RedisValue id = RedisValue.Null;
        if (await GuardAsync(async () => id = await AppendAsync([], stop).ConfigureAwait(false), stop).ConfigureAwait(false))
        {
            _cursor = id;
            _faultLogged = false;
            _nextExpire = context.Clock.NowMs + context.SweepIntervalMs;
        }

        return !_cursor.IsNull;
    }

    /// <summary>Drops the cursor: the next read anchors again and reads every breaker.</summary>
    public void Forget() => _cursor = RedisValue.Null;

    /// <summary>Appends what this replica committed since the last append: one entry per <see cref="MaxNamesPerEntry"/>
    /// breakers (the newest change of each), sent together and awaited once.</summary>
    public async Task AppendCommittedAsync(CancellationToken stop)
    {
        if (_committed.IsEmpty)
        {
            return;
        }

        var newest = new Dictionary<string, LoggedChange>(StringComparer.Ordinal);
        while (_committed.TryDequeue(out var change))
        {
            newest[change.Name] = change;
        }

        var batches = newest.Values.Chunk(MaxNamesPerEntry).Select(batch => AppendAsync(batch, stop)).ToArray();
        await GuardAsync(() => Task.WhenAll(batches), stop).ConfigureAwait(false);
    }

    /// <summary>Reads what other replicas committed since the cursor (one command); anchors first when there is no cursor.</summary>
    public async Task<LogRead> ReadAsync(CancellationToken stop)
    {
        long now = context.Clock.NowMs;
        if (now < _retryAt)
        {
            return LogRead.Nothing; // the log failed while Redis answers: pub/sub and the sweep carry changes meanwhile
        }

        if (_cursor.IsNull)
        {
            return new LogRead([], await AnchorAsync(stop).ConfigureAwait(false));
        }

        StreamEntry[] entries = [];
        var cursor = _cursor;
        if (!await GuardAsync(async () => entries = await link.RunAsync(db => db.StreamRangeAsync(Key, cursor, "+", MaxEntriesPerRead + 1), stop)
                .ConfigureAwait(false), stop).ConfigureAwait(false))
        {
            return LogRead.Nothing;
        }

        if (entries.Length == 0 || entries[0].Id != cursor)
        {
            // Entries after the cursor may be gone with it: read every breaker again, from a new anchor.
            RedisStateLog.ChangeLogResync(context.Logger, context.Options.KeyPrefix, context.ReplicaId);
            return new LogRead([], await AnchorAsync(stop).ConfigureAwait(false));
        }

        var changes = new List<LoggedChange>();
        for (int i = 1; i < entries.Length; i++)
        {
            if (ChangeLogEntry.Parse(entries[i], context.ReplicaId, changes) is { } corruption && !_corruptLogged)
            {
                _corruptLogged = true; // logged once: a corrupt entry is skipped, the breakers it may have named are swept
                RedisStateLog.ChangeLogCorrupt(context.Logger, Key.ToString(), entries[i].Id.ToString(), corruption);
            }
        }

        _cursor = entries[^1].Id;
        if (now >= _nextExpire)
        {
            // Readers keep the log alive too: it expires StateTimeToLive after the last replica stopped reading it.
            _nextExpire = now + context.SweepIntervalMs;
            await GuardAsync(() => link.RunAsync(db => db.KeyExpireAsync(Key, context.Options.StateTimeToLive), stop), stop).ConfigureAwait(false);
        }

        return new LogRead(changes, false);
    }

    private async Task<RedisValue> AppendAsync(IReadOnlyList<LoggedChange> changes, CancellationToken stop)
    {
        var add = link.RunAsync(db => db.StreamAddAsync(Key, ChangeLogEntry.Fields(context.ReplicaId, changes), maxLength: MaxLength,
            useApproximateMaxLength: true), stop);
        var expire = link.RunAsync(db => db.KeyExpireAsync(Key, context.Options.StateTimeToLive), stop);
        await Task.WhenAll(add, expire).ConfigureAwait(false);
        return await add.ConfigureAwait(false);
    }

    /// <summary>Runs a log operation. A failure while Redis answers a ping, or a key that is not a stream, is the log's
    /// problem: false (a key that is not a stream is deleted, and the next read anchors a new log and resyncs). A failure
    /// of Redis itself throws: every breaker falls back.</summary>
    private async Task<bool> GuardAsync(Func<Task> operation, CancellationToken stop)
    {
        try
        {
            await operation().ConfigureAwait(false);
            return true;
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("WRONGTYPE", StringComparison.Ordinal))
        {
            // Something else under the log's key: it is ours (under the prefix), so it is replaced by a new log.
            RedisStateLog.ChangeLogCorrupt(context.Logger, Key.ToString(), "", "the key is not a stream");
            _cursor = RedisValue.Null;
            await link.RunAsync(db => db.KeyDeleteAsync(Key), stop).ConfigureAwait(false);
            return false;
        }
        catch (Exception ex) when (RedisLink.IsRedisFailure(ex) && !stop.IsCancellationRequested)
        {
            if (!await faults.RedisAnswersAsync(stop).ConfigureAwait(false))
            {
                throw;
            }

            // The cursor stays: the retry's read starts at it, and finds it gone if the log lost entries meanwhile (a
            // failover of its node). Dropping it made a read that merely timed out on a loaded machine re-read every breaker.
            context.Metrics.RecordError(ex);
            _retryAt = context.Clock.NowMs + context.ReconnectIntervalMs;
            if (!_faultLogged)
            {
                _faultLogged = true;
                RedisStateLog.ChangeLogUnavailable(context.Logger, Key.ToString(), RedisLink.Describe(ex, context.Options.OperationTimeout));
            }

            return false;
        }
    }
}
