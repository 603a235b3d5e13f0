using Microsoft.Extensions.Logging;

namespace Fusebox.Redis;

/// <summary>Fusebox.Redis log events. Redis becoming unavailable is logged once per outage, never per call or per
/// operation (each failed operation is counted in the <c>fusebox.redis.errors</c> metric and logged at debug).</summary>
internal static partial class RedisStateLog
{
    [LoggerMessage(EventId = 2001, EventName = "RedisStateUnavailable", Level = LogLevel.Warning,
        Message = "Fusebox shared breaker state '{Prefix}' is unavailable ({Reason}): replica {Replica} runs on its local breakers until Redis returns")]
    public static partial void Unavailable(ILogger logger, string prefix, string replica, string reason, Exception? exception);

    [LoggerMessage(EventId = 2002, EventName = "RedisStateRestored", Level = LogLevel.Information,
        Message = "Fusebox shared breaker state '{Prefix}' is available again after {Downtime}: replica {Replica} reconciled {Count} breakers")]
    public static partial void Restored(ILogger logger, string prefix, string replica, TimeSpan downtime, int count);

    [LoggerMessage(EventId = 2003, EventName = "RedisStateConnected", Level = LogLevel.Information,
        Message = "Fusebox shared breaker state '{Prefix}' connected: replica {Replica} shares {Count} breakers")]
    public static partial void Connected(ILogger logger, string prefix, string replica, int count);

    [LoggerMessage(EventId = 2004, EventName = "SharedTransitionWon", Level = LogLevel.Information,
        Message = "Shared breaker '{Breaker}' is now {State} for every replica, decided by replica {Replica}: {Description}")]
    public static partial void Won(ILogger logger, string breaker, BreakerState state, string replica, string description);

    [LoggerMessage(EventId = 2005, EventName = "SharedStateAdopted", Level = LogLevel.Debug,
        Message = "Breaker '{Breaker}' adopted shared state {State} (generation {Generation}) decided by {DecidedBy}: {Description}")]
    public static partial void Adopted(ILogger logger, string breaker, BreakerState state, long generation, string decidedBy, string description);

    [LoggerMessage(EventId = 2006, EventName = "RedisOperationFailed", Level = LogLevel.Debug,
        Message = "Fusebox Redis operation failed: {Error}")]
    public static partial void OperationFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 2007, EventName = "CoordinatorError", Level = LogLevel.Error,
        Message = "Fusebox Redis coordinator error (the loop goes on; breakers keep working locally)")]
    public static partial void UnexpectedError(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2008, EventName = "SharedStateCorrupt", Level = LogLevel.Warning,
        Message = "Shared breaker '{Breaker}' has corrupt state in Redis ({Key}: {Corruption}): it is repaired from the replicas' local states; the other breakers are not affected")]
    public static partial void Corrupt(ILogger logger, string breaker, string key, string corruption);

    [LoggerMessage(EventId = 2009, EventName = "SharedStateRepaired", Level = LogLevel.Information,
        Message = "Shared breaker '{Breaker}': removed {Removed} corrupt keys; the replicas re-seed its state")]
    public static partial void Repaired(ILogger logger, string breaker, long removed);

    [LoggerMessage(EventId = 2010, EventName = "SharedScriptRejected", Level = LogLevel.Debug,
        Message = "A script on the keys of shared breaker '{Breaker}' failed on the server")]
    public static partial void ScriptRejected(ILogger logger, string breaker, Exception exception);

    [LoggerMessage(EventId = 2011, EventName = "SharedMessageIgnored", Level = LogLevel.Debug,
        Message = "Ignored a message for shared breaker '{Breaker}': {Corruption}")]
    public static partial void MessageIgnored(ILogger logger, string breaker, string corruption);

    [LoggerMessage(EventId = 2012, EventName = "SharedBreakerUnavailable", Level = LogLevel.Warning,
        Message = "Shared breaker '{Breaker}': its keys are unavailable ({Reason}) while Redis answers (a Redis Cluster master down, say): it runs locally and is retried every reconnect interval; the other breakers stay shared")]
    public static partial void BreakerUnavailable(ILogger logger, string breaker, string reason);

    [LoggerMessage(EventId = 2013, EventName = "SharedBreakerRestored", Level = LogLevel.Information,
        Message = "Shared breaker '{Breaker}': its keys answer again and it is shared again")]
    public static partial void BreakerRestored(ILogger logger, string breaker);

    [LoggerMessage(EventId = 2014, EventName = "ChangeLogCorrupt", Level = LogLevel.Warning,
        Message = "Fusebox change log {Key}: skipped entry '{Entry}' ({Corruption}); the sweep re-reads the breakers it may have named (logged once)")]
    public static partial void ChangeLogCorrupt(ILogger logger, string key, string entry, string corruption);

    [LoggerMessage(EventId = 2015, EventName = "ChangeLogUnavailable", Level = LogLevel.Warning,
        Message = "Fusebox change log {Key} is unavailable ({Reason}) while Redis answers: changes arrive by pub/sub and the sweep until it is back, then every breaker is read again")]
    public static partial void ChangeLogUnavailable(ILogger logger, string key, string reason);

    [LoggerMessage(EventId = 2016, EventName = "ChangeLogResync", Level = LogLevel.Information,
        Message = "Fusebox change log of '{Prefix}' lost entries replica {Replica} had not read (trimmed, flushed or failed over): every breaker is read again")]
    public static partial void ChangeLogResync(ILogger logger, string prefix, string replica);
}
