using System.Globalization;

namespace Fusebox.Redis;

/// <summary>Options of a <see cref="RedisStateCoordinator"/>. Every replica of a service must use the same
/// <see cref="KeyPrefix"/> (and should use the same values for the rest).</summary>
public sealed class RedisStateOptions
{
    /// <summary>
    /// Namespace of every key and of the pub/sub channel: one per service and environment, e.g.
    /// <c>"checkout:prod"</c>. Breakers share state only with breakers of the same name under the same prefix.
    /// Default <c>"fusebox"</c>. 1 to 200 characters.
    /// </summary>
    public string KeyPrefix { get; set; } = "fusebox";

    /// <summary>This replica's identity in Redis (window counts are tagged with it; decisions name it). Default:
    /// machine name, process id and a random suffix, unique per coordinator. 1 to 200 characters.</summary>
    public string? ReplicaId { get; set; }

    /// <summary>How breakers are shared. Default <see cref="SharingMode.Quorum"/>.</summary>
    public SharingMode Mode { get; set; } = SharingMode.Quorum;

    /// <summary>Per-breaker mode, by name; null or a null result falls back to <see cref="Mode"/>.</summary>
    public Func<string, SharingMode?>? ModeFor { get; set; }

    /// <summary>How often each replica flushes its window counts (and reports probe successes, claims probe permits,
    /// moves an elapsed shared break to half-open). Redis round trips scale with this, not with the call rate.
    /// Default 100 ms; [10 ms, 10 s].</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How often the prefix's change log is read, to catch a pub/sub message that was lost: one command per
    /// replica, whatever the number of breakers, and a read only of the breakers the log names that the replica does not
    /// know yet. Default null: every <see cref="FlushInterval"/> tick; when set, [FlushInterval, 5 min].</summary>
    public TimeSpan? PollInterval { get; set; }

    /// <summary>Every breaker's shared state is read again once per sweep interval, round-robin, a share of the breakers
    /// at each tick (10,000 breakers with the defaults: 17 reads per tick): it catches a change the change log does not
    /// name (a replica that crashed between its commit and its append, a key written by hand) and keeps the keys of
    /// breakers in use alive. Default 1 min; [FlushInterval, 1 hour], and at most a quarter of
    /// <see cref="StateTimeToLive"/>.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A Redis operation that takes longer than this counts as Redis being unavailable: every replica falls
    /// back to its local breakers. Callers never wait for it either way. Default 1 s; [10 ms, 1 min].</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a replica that fell back checks whether Redis is back. Default 1 s; [10 ms, 5 min].</summary>
    public TimeSpan ReconnectInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long past the end of a shared break a replica keeps its breaker open waiting for the cluster's half-open
    /// decision (which caps probes cluster-wide) before it probes on its own. Covers a missed message until the next
    /// change-log read. Default 3 s; [0, 1 min].
    /// </summary>
    public TimeSpan HoldGrace { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Cluster-wide failure rate that opens the shared breaker, in (0, 1]. Default null: the breaker's
    /// failure-rate policy threshold, else 0.5.</summary>
    public double? FailureRateThreshold { get; set; }

    /// <summary>Cluster-wide calls in the window before the rate is trusted. Default null: the breaker policy's
    /// minimum calls (its threshold for <c>ConsecutiveFailures</c>). 1 or more.</summary>
    public int? MinimumCalls { get; set; }

    /// <summary>The cluster-wide window. Default null: the window of a time-window policy, else 10 s. [1 s, 10 min].</summary>
    public TimeSpan? Window { get; set; }

    /// <summary>Width of one Redis counter bucket; the window spans <c>Window / BucketDuration</c> buckets, at most
    /// <see cref="MaxBuckets"/> (120): an explicit <see cref="Window"/> that would need more is refused, and a breaker whose
    /// policy window would (a 10-minute time window, say) gets buckets of <c>window / 120</c> instead, so a flush never
    /// reads more than 120 hashes. Default 1 s; [100 ms, 1 min].</summary>
    public TimeSpan BucketDuration { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The most buckets one breaker's cluster window is kept in (each flush reads them all).</summary>
    public const int MaxBuckets = 120;

    /// <summary>In <see cref="SharingMode.Quorum"/>: at least this many replicas must each see their own failure rate
    /// reach the threshold. Default 2; [1, 1000].</summary>
    public int QuorumMinReplicas { get; set; } = 2;

    /// <summary>In <see cref="SharingMode.Quorum"/>: the failing replicas must be <em>more</em> than this fraction of the
    /// replicas that called in the window. Default 0.5 (a strict majority); [0, 1).</summary>
    public double QuorumFraction { get; set; } = 0.5;

    /// <summary>A shared half-open round that has not finished after this long starts again with fresh permits (a
    /// replica holding permits died or stopped calling). Default null: the breaker's <c>ProbeTimeout</c> plus two
    /// <see cref="FlushInterval"/>s, since a replica claims a permit and reports its probe on its loop's ticks: a round
    /// only as long as the probe's own timeout would restart before a slow (but live) probe could be reported.</summary>
    public TimeSpan? ProbeRoundTimeout { get; set; }

    /// <summary>Expiry of a breaker's state key (and of the change log), refreshed by every transition, flush and sweep
    /// read of any replica: the key of a breaker no replica uses any more expires this long after the last one let go of
    /// it. A replica that sees no traffic refreshes it only when its sweep reads it. Default 1 hour; [1 min, 365 days],
    /// and at least 4 × <see cref="SweepInterval"/>.</summary>
    public TimeSpan StateTimeToLive { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The clock of the coordinator: its ticks, polls, reconnects, timeouts, break and round deadlines and status times.
    /// Null (default): the registry's <see cref="CircuitBreakerRegistry.TimeProvider"/>, so a registry on a fake clock
    /// gets a coordinator on the same fake clock. Decisions made inside Redis use Redis server time either way.
    /// </summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Returns a shallow copy.</summary>
    public RedisStateOptions Clone() => (RedisStateOptions)MemberwiseClone();

    /// <summary>Throws when a value is out of range, naming the option and the allowed range.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(KeyPrefix) || KeyPrefix.Length > 200)
        {
            throw new ArgumentException("RedisStateOptions.KeyPrefix must be 1 to 200 characters.", nameof(KeyPrefix));
        }

        if (ReplicaId is { } id && (string.IsNullOrWhiteSpace(id) || id.Length > 200))
        {
            throw new ArgumentException("RedisStateOptions.ReplicaId must be 1 to 200 characters when set.", nameof(ReplicaId));
        }

        if (!Enum.IsDefined(Mode))
        {
            throw OutOfRange(nameof(Mode), Mode, "must be Local, Quorum or Any");
        }

        Range(FlushInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(10), nameof(FlushInterval));
        if (PollInterval is { } poll)
        {
            Range(poll, FlushInterval, TimeSpan.FromMinutes(5), nameof(PollInterval));
        }

        Range(SweepInterval, FlushInterval, TimeSpan.FromHours(1), nameof(SweepInterval));
        Range(OperationTimeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1), nameof(OperationTimeout));
        Range(ReconnectInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(5), nameof(ReconnectInterval));
        Range(HoldGrace, TimeSpan.Zero, TimeSpan.FromMinutes(1), nameof(HoldGrace));
        Range(BucketDuration, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1), nameof(BucketDuration));
        Range(StateTimeToLive, TimeSpan.FromMinutes(1), TimeSpan.FromDays(365), nameof(StateTimeToLive));
        Range(StateTimeToLive, SweepInterval * 4, TimeSpan.FromDays(365), nameof(StateTimeToLive)); // refreshed at least by the sweep
        if (Window is { } window)
        {
            Range(window, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10), nameof(Window));
            double buckets = Math.Ceiling(window / BucketDuration);
            if (buckets > MaxBuckets)
            {
                throw new ArgumentOutOfRangeException($"{nameof(RedisStateOptions)}.{nameof(Window)}", window, string.Create(CultureInfo.InvariantCulture,
                    $"RedisStateOptions.Window / BucketDuration must be at most {MaxBuckets} buckets (was {buckets}: Window {window}, BucketDuration {BucketDuration}); set BucketDuration to at least {window / MaxBuckets}."));
            }
        }

        if (ProbeRoundTimeout is { } round)
        {
            Range(round, TimeSpan.FromMilliseconds(10), TimeSpan.FromDays(1), nameof(ProbeRoundTimeout));
        }

        if (FailureRateThreshold is { } rate && !(rate > 0 && rate <= 1))
        {
            throw OutOfRange(nameof(FailureRateThreshold), rate, "must be in (0, 1]");
        }

        if (MinimumCalls is < 1)
        {
            throw OutOfRange(nameof(MinimumCalls), MinimumCalls, "must be at least 1");
        }

        if (QuorumMinReplicas is < 1 or > 1000)
        {
            throw OutOfRange(nameof(QuorumMinReplicas), QuorumMinReplicas, "must be in [1, 1000]");
        }

        if (!(QuorumFraction >= 0 && QuorumFraction < 1))
        {
            throw OutOfRange(nameof(QuorumFraction), QuorumFraction, "must be in [0, 1)");
        }
    }

    private static void Range(TimeSpan value, TimeSpan min, TimeSpan max, string name)
    {
        if (value < min || value > max)
        {
            throw OutOfRange(name, value, $"must be in [{min}, {max}]");
        }
    }

    private static ArgumentOutOfRangeException OutOfRange(string name, object? value, string rule) =>
        new($"{nameof(RedisStateOptions)}.{name}", value,
            string.Create(CultureInfo.InvariantCulture, $"RedisStateOptions.{name} {rule} (was {value})."));
}
