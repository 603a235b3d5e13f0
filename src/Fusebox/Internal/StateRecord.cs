namespace Fusebox.Internal;

/// <summary>
/// One immutable state of a breaker, with the settings in force and the window that measures it. The breaker holds
/// exactly one and replaces it with compare-and-swap, so a reader sees a consistent state, settings and window with
/// one volatile read, and every transition has exactly one winner.
/// </summary>
/// <remarks>
/// Two kinds of replacement exist. A <em>transition</em> makes a record of the next generation. A <em>swap</em>
/// (<see cref="WithSettings"/>: Reconfigure, or clearing the window of a closed breaker) makes a record of the same
/// state and generation with other settings or a fresh window; permits of the generation stay valid across it.
/// A closed or disabled record owns its window (<see cref="Meter"/>): a transition into either state starts an empty
/// one, so an outcome recorded into the window of the record it was admitted in can never land in a later
/// generation's window, and nothing ever clears a window that other threads are writing (a clear is a swap).
/// </remarks>
internal sealed class StateRecord
{
    public StateRecord(BreakerState state, long generation, TransitionReason reason, string? description,
        DateTimeOffset changedAt, BreakerSettings settings, TripMeter meter, long openUntil = 0, int consecutiveOpens = 0,
        DateTimeOffset? openedAt = null, HalfOpenProbes? probes = null)
    {
        State = state;
        Generation = generation;
        Reason = reason;
        Description = description;
        ChangedAt = changedAt;
        Settings = settings;
        Meter = meter;
        OpenUntil = openUntil;
        ConsecutiveOpens = consecutiveOpens;
        OpenedAt = openedAt;
        Probes = probes;

        // Copies of the settings the call path reads on every call: one load from a record already in hand.
        SlowThresholdTicks = settings.SlowThresholdTicks;
        MeterNeedsClock = settings.MeterNeedsClock;
        ShouldHandleResult = settings.ShouldHandleResult;
        IsPlainClosed = state == BreakerState.Closed && settings.SlowThresholdTicks == 0 && settings.ShouldHandleResult is not { IsAsynchronous: true }
            && settings.Throttle is null;
        RejectsInBreak = state == BreakerState.Open && !settings.Shadow;
        AdmitsAtOnce = state == BreakerState.Disabled || (state == BreakerState.Closed && settings.Throttle is null);
    }

    public BreakerState State { get; }

    /// <summary>Incremented on every transition; permits carry it so late outcomes are recognised.</summary>
    public long Generation { get; }

    public TransitionReason Reason { get; }

    public string? Description { get; }

    public DateTimeOffset ChangedAt { get; }

    /// <summary>The settings every decision made from this record uses.</summary>
    public BreakerSettings Settings { get; }

    /// <summary>
    /// The trip policy's window. Closed and disabled records record into it; the others keep the window that was
    /// current when they were entered, read-only, so a snapshot of an open breaker still shows why it opened.
    /// </summary>
    public TripMeter Meter { get; }

    /// <summary>For <see cref="BreakerState.Open"/>: the clock time (breaker clock ticks) when probing may start.</summary>
    public long OpenUntil { get; }

    /// <summary>Re-opens since the breaker last closed; drives the break-duration backoff.</summary>
    public int ConsecutiveOpens { get; }

    /// <summary>When the breaker last opened (kept through half-open), for snapshots.</summary>
    public DateTimeOffset? OpenedAt { get; }

    /// <summary>For <see cref="BreakerState.HalfOpen"/>: this generation's probe slots.</summary>
    public HalfOpenProbes? Probes { get; }

    public long SlowThresholdTicks { get; }

    public bool MeterNeedsClock { get; }

    public ResultPredicate? ShouldHandleResult { get; }

    /// <summary>Closed, no slow-call threshold and no asynchronous result clause: a call needs neither a permit, nor a
    /// start time, nor an await for its classification.</summary>
    public bool IsPlainClosed { get; }

    /// <summary>Closed without adaptive throttling, or disabled: the permit path admits at once (computed once per
    /// record, so a breaker without throttling pays one flag test for it, as it paid one state test before).</summary>
    public bool AdmitsAtOnce { get; }

    /// <summary>Open and not in shadow mode: a call within the break is rejected (one flag test on the rejection path).</summary>
    public bool RejectsInBreak { get; }

    /// <summary>The same state and generation with other settings and/or window (a swap, not a transition).</summary>
    public StateRecord WithSettings(BreakerSettings settings, TripMeter meter) =>
        new(State, Generation, Reason, Description, ChangedAt, settings, meter, OpenUntil, ConsecutiveOpens, OpenedAt, Probes);
}
