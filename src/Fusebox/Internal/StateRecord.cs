namespace Fusebox.Internal;

/// <summary>
/// One immutable state of a breaker. The breaker holds exactly one and replaces it with compare-and-swap, so a
/// reader sees a consistent state with one volatile read and every transition has exactly one winner.
/// </summary>
internal sealed class StateRecord
{
    public StateRecord(CircuitState state, long generation, TransitionReason reason, string? description,
        DateTimeOffset changedAt, long openUntil = 0, int consecutiveOpens = 0, DateTimeOffset? openedAt = null,
        HalfOpenProbes? probes = null)
    {
        State = state;
        Generation = generation;
        Reason = reason;
        Description = description;
        ChangedAt = changedAt;
        OpenUntil = openUntil;
        ConsecutiveOpens = consecutiveOpens;
        OpenedAt = openedAt;
        Probes = probes;
    }

    public CircuitState State { get; }

    /// <summary>Incremented on every transition; permits carry it so late outcomes are recognised.</summary>
    public long Generation { get; }

    public TransitionReason Reason { get; }

    public string? Description { get; }

    public DateTimeOffset ChangedAt { get; }

    /// <summary>For <see cref="CircuitState.Open"/>: the clock time (breaker clock ticks) when probing may start.</summary>
    public long OpenUntil { get; }

    /// <summary>Re-opens since the breaker last closed; drives the break-duration backoff.</summary>
    public int ConsecutiveOpens { get; }

    /// <summary>When the breaker last opened (kept through half-open), for snapshots.</summary>
    public DateTimeOffset? OpenedAt { get; }

    /// <summary>For <see cref="CircuitState.HalfOpen"/>: this generation's probe slots.</summary>
    public HalfOpenProbes? Probes { get; }
}
