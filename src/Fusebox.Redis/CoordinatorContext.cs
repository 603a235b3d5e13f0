using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Fusebox.Redis;

/// <summary>What every part of one coordinator shares: its validated options, identity, clock, log and metrics.</summary>
internal sealed class CoordinatorContext
{
    public CoordinatorContext(RedisStateOptions options, string replicaId, CoordinatorClock clock, ILogger logger, RedisStateMetrics metrics)
    {
        Options = options;
        ReplicaId = replicaId;
        Clock = clock;
        Logger = logger;
        Metrics = metrics;
        ChannelName = options.KeyPrefix + ":events";
        Channel = RedisChannel.Literal(ChannelName);
    }

    public RedisStateOptions Options { get; }

    public string ReplicaId { get; }

    public CoordinatorClock Clock { get; }

    public ILogger Logger { get; }

    public RedisStateMetrics Metrics { get; }

    /// <summary>The pub/sub channel of the prefix: every winning script publishes the new state on it.</summary>
    public RedisChannel Channel { get; }

    public string ChannelName { get; }

    /// <summary>How often the change log is read: <see cref="RedisStateOptions.PollInterval"/>, by default every tick.</summary>
    public long PollIntervalMs => (long)(Options.PollInterval ?? Options.FlushInterval).TotalMilliseconds;

    public long SweepIntervalMs => (long)Options.SweepInterval.TotalMilliseconds;

    public long FlushIntervalMs => (long)Options.FlushInterval.TotalMilliseconds;

    /// <summary>How long a claimed probe permit stays this replica's without renewal: four ticks, at least a second. The
    /// loop renews it at every tick while a probe holds it, so only a replica that died or stalled loses it.</summary>
    public long LeaseMs => Math.Max(4 * FlushIntervalMs, 1000);

    public long ReconnectIntervalMs => (long)Options.ReconnectInterval.TotalMilliseconds;
}
