using Fusebox.Coordination;

namespace Fusebox.Redis;

/// <summary>Where a view of the shared state came from.</summary>
internal enum ViewSource
{
    /// <summary>Pub/sub: another replica's transition.</summary>
    Message,

    /// <summary>A periodic read, a first sync, a claim of probe permits.</summary>
    Poll,

    /// <summary>The first read after Redis came back: the replica may have diverged while it was away.</summary>
    Recovery,

    /// <summary>The reply to this replica's own transition (a trip, a failed probe, a new round, a flush).</summary>
    OwnTransition,

    /// <summary>The reply to publishing a manual change made on this replica's breaker.</summary>
    OwnManual,

    /// <summary>The reply to a command of this coordinator (<see cref="RedisStateCoordinator.ResetAsync"/> and friends).</summary>
    OwnCommand,
}

/// <summary>The merge rules, named (docs/distributed.md has the table; each has unit tests in ReconcilerTests).</summary>
internal enum MergeRule
{
    /// <summary>An older generation of the known epoch: a late message or reply. Ignored. (A reply to a call sent after
    /// the newer view arrived is not late: Redis went back, and the replica reconciles as after a lost state.)</summary>
    Stale,

    /// <summary>Newer shared state while a local change is still queued for publishing: publish first, read again.</summary>
    WaitForLocalChange,

    /// <summary>A newer generation, or a transition of a new epoch: adopted.</summary>
    AdoptNewer,

    /// <summary>The same epoch and generation as known but another transition (Redis lost a write and another replica
    /// wrote over it): what Redis holds now is adopted, so every replica converges on it.</summary>
    AdoptSameGenerationDivergence,

    /// <summary>Nothing new and the replica had not diverged: only recorded.</summary>
    Unchanged,

    /// <summary>The replica diverged, but a local change is queued: reconcile after it is published.</summary>
    ReconcileLater,

    /// <summary>Diverged, but the local state is the shared one (closed, disabled or isolated on both).</summary>
    InSync,

    /// <summary>Diverged and the shared state wins: it is more severe, manual, or the same open/half-open state that
    /// this replica decided alone (the shared one carries the cluster's break and capped probes).</summary>
    AdoptShared,

    /// <summary>Diverged and the local state is more severe and shared by nature (Redis lost it, an Any-mode open, a
    /// manual state): written back to Redis.</summary>
    PushLocal,

    /// <summary>Diverged and the local state is more severe but was decided by this replica alone (a Quorum-mode local
    /// trip): it stays local.</summary>
    KeepLocal,
}

/// <summary>What the reconciler knows about the local side of one shared breaker when a view arrives.</summary>
/// <param name="State">The breaker's recorded state.</param>
/// <param name="Generation">The breaker's generation now.</param>
/// <param name="GenerationAtSync">The local generation that corresponds to the adopted shared state (-1: none).</param>
/// <param name="Held">The breaker is in a held shared half-open round.</param>
/// <param name="Known">The shared state as last recorded; null before the first.</param>
/// <param name="PendingPublishes">Local changes queued for publishing.</param>
/// <param name="Mode">How the breaker is shared.</param>
internal readonly record struct LocalView(BreakerState State, long Generation, long GenerationAtSync, bool Held, ClusterView? Known,
    int PendingPublishes, SharingMode Mode)
{
    /// <summary>The local state is the adopted shared one (no local change since).</summary>
    public bool Adopted => GenerationAtSync >= 0 && Generation == GenerationAtSync;
}

/// <summary>The reconciler's answer: what to do with one view. Applied by <see cref="StateAdopter"/>.</summary>
internal sealed record MergeDecision(MergeRule Rule)
{
    /// <summary>Record the view as the known shared state now (before any adoption).</summary>
    public bool Record { get; init; }

    /// <summary>Adopt this state (and then record the view if <see cref="Record"/> is false).</summary>
    public ExternalState? Adopt { get; init; }

    /// <summary>Adopt only if the breaker is still in this generation; null: unconditionally (a message).</summary>
    public long? ExpectedGeneration { get; init; }

    /// <summary>An adopted close clears the window: counts made before it must not reach the new window.</summary>
    public bool ClearWindow { get; init; }

    /// <summary>The local state is the shared one: mark this local generation as in sync.</summary>
    public long? InSyncGeneration { get; init; }

    /// <summary>Write the local state to Redis at the end of the tick.</summary>
    public bool Push { get; init; }

    /// <summary>Read the shared state again at the next tick.</summary>
    public bool LookAgain { get; init; }

    /// <summary>The view is this replica's own transition that won (for the decisions metric).</summary>
    public bool Won { get; init; }
}
