using StackExchange.Redis;
using Fusebox.Coordination;

namespace Fusebox.Redis;

/// <summary>What a coordinator knows about one shared breaker. Fields marked (gate) are read and written under
/// <see cref="Gate"/> (the loop, the pub/sub handler and status readers touch them); the others belong to the loop.</summary>
internal sealed class SharedBreaker
{
    public SharedBreaker(CircuitBreaker breaker, SharingMode mode, string keyPrefix, bool fromRegistry)
    {
        Breaker = breaker;
        Mode = mode;
        FromRegistry = fromRegistry;
        KeyBase = $"{keyPrefix}:{{{breaker.Name}}}";
        StateKey = KeyBase + ":state";
        LeaseKey = KeyBase + ":leases";
        ThrottleKey = KeyBase + ":throttle";
        Last = breaker.ReadCallCounts();
    }

    public CircuitBreaker Breaker { get; }

    public string Name => Breaker.Name;

    public SharingMode Mode { get; }

    public bool FromRegistry { get; }

    /// <summary><c>prefix:{name}</c>: the name is the Redis Cluster hash tag, so a breaker's keys share one slot.</summary>
    public string KeyBase { get; }

    public RedisKey StateKey { get; }

    /// <summary><c>prefix:{name}:leases</c>: which replica holds how many permits of the shared half-open round.</summary>
    public RedisKey LeaseKey { get; }

    /// <summary><c>prefix:{name}:throttle</c>: every replica's adaptive-throttling window counts (see <see cref="ThrottleSharing"/>).</summary>
    public RedisKey ThrottleKey { get; }

    public Lock Gate { get; } = new();

    // (gate) The shared state as last seen (epoch, generation and transition).
    public ClusterView? View;
    public DateTimeOffset? LastSyncedAt;

    // (gate) The local generation that corresponds to the adopted shared state; a different local generation means
    // the replica has diverged (a local trip, local probing, a manual change not yet published).
    public long LocalGenerationAtSync = -1;

    // (gate) A held half-open round: the local generation and the shared generation of the round, the successes
    // already reported to Redis.
    public long HeldLocalGeneration = -1;
    public long HeldClusterGeneration = -1;
    public int ReportedSuccesses;

    // (gate) Permits of the held round this replica holds on Redis (claimed, not yet used up by reported successes or
    // given back), and how many granted slots stood unused at the last tick (unused for a whole tick: given back).
    public int Leased;
    public int UnusedAtLastTick;

    // (gate) Set by reconciliation: push the local state to Redis (Redis lost it, or Any mode with a local open), and
    // the shared state known before the push was decided (a lost open is restored with the break it had left).
    public bool PushWanted;
    public ClusterView? PushFrom;

    // (gate) A manual change made while Redis was unreachable, published when it returns, and the local generation it
    // left: the published state is adopted back only if the breaker is still there (a later local trip must survive).
    public BreakerState? PendingManual;
    public string? PendingManualReason;
    public long PendingManualGeneration = -1;

    // (gate) The breaker's counters when a close or reset decided elsewhere was adopted: counts made before it must not
    // reach the new window, so the next flush counts from here (null: no close since the last flush).
    public CallCounts? CountsAtClose;

    public bool Detached;

    // Loop writes, status readers read (Volatile): while not 0, this breaker's own keys failed while Redis answered
    // (BreakerFaults); it runs locally and the loop retries it at this time (coordinator ms).
    public long FaultedUntil;

    /// <summary>This breaker's keys failed while Redis answered, and it has not answered again yet.</summary>
    public bool Faulted => Volatile.Read(ref FaultedUntil) != 0;

    // 1 once the coordinator's snapshot and manual-control hooks are on the breaker (set once, by Track).
    public int Hooked;

    // Local changes queued for publishing (manual changes, Any-mode trips, failed probes).
    public int PendingPublishes;

    // Read the shared state at the next tick (first sync, or an adoption that lost a race with a local change).
    public bool NeedsSync = true;

    // Loop only: this tick reads the shared state (the change log named the breaker, or the sweep came to it) unless a
    // flush or a round operation of the tick reads it anyway (their replies carry the state).
    public bool ReadDue;

    // Loop only. Voted: this replica's trip vote is in the window (withdrawn once its breaker has closed again).
    public CallCounts Last;
    public bool Voted;
    public long RejectedAtGrant;
    public long LastSyncAt;

    // Loop only: the throttling window counts last stored in Redis, and when (coordinator ms).
    public ThrottleCounts ThrottleSent;
    public long ThrottleSentAt;

    // Loop only: what is wrong with the breaker's keys in Redis, until the next tick repairs it; whether it was logged.
    public ParsedReply? Corruption;
    private bool _corruptionLogged;

    public bool IsHeld => HeldLocalGeneration >= 0 && Breaker.Generation == HeldLocalGeneration;

    /// <summary><c>prefix:{name}:w:</c>; the scripts append the bucket number (Redis time / bucket duration).</summary>
    public string BucketKeyBase => KeyBase + ":w:";

    public void MarkCorrupt(ParsedReply corruption) => Corruption = corruption;

    /// <summary>True the first time in a corruption episode: log it once, not at every tick.</summary>
    public bool TryLogCorruption()
    {
        bool first = !_corruptionLogged;
        _corruptionLogged = true;
        return first;
    }

    /// <summary>The keys were repaired: the next corruption is a new episode.</summary>
    public void Repaired()
    {
        Corruption = null;
        _corruptionLogged = false;
    }
}
