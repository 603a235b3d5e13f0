namespace Fusebox.Internal;

/// <summary>
/// The options a breaker runs with, validated and frozen: one immutable object, so that every decision reads one
/// consistent set of values. It lives in the breaker's <see cref="StateRecord"/> (read once per decision anyway), and
/// <c>Reconfigure</c> replaces it by swapping in a record of the same state and generation, so a decision can never
/// pair an old value with a new one (old <c>HalfOpenPermits</c> with new <c>SuccessesToClose</c>, old backoff with
/// no <c>MaxBreakDuration</c>, a time window with a policy that needs no clock).
/// </summary>
internal sealed class BreakerSettings
{
    /// <summary>Builds the settings from options that were already cloned and validated.</summary>
    /// <param name="validated">The options.</param>
    /// <param name="previous">The settings these replace (Reconfigure), whose throttling window is kept when its shape is unchanged.</param>
    /// <param name="now">The breaker clock's time, for a new throttling window.</param>
    public BreakerSettings(CircuitBreakerOptions validated, BreakerSettings? previous, long now)
    {
        Options = validated;
        SlowThresholdTicks = validated.SlowCallThreshold?.Ticks ?? 0;
        ProbeTimeoutTicks = validated.ProbeTimeout.Ticks;
        MeterNeedsClock = validated.TripPolicy.RequiresClock;
        ShouldHandleException = validated.ShouldHandleException;
        ShouldHandleResult = validated.ShouldHandleResult;
        Shadow = validated.ShadowMode;
        Throttle = validated.AdaptiveThrottling is { } throttling ? new ThrottleStage(throttling, previous?.Throttle, now, ReferenceEquals(validated.TimeProvider, TimeProvider.System)) : null;
    }

    /// <summary><see cref="CircuitBreakerOptions.ShadowMode"/>: would-be rejections are counted and the call admitted.</summary>
    public bool Shadow { get; }

    /// <summary>Adaptive throttling in closed state; null when off.</summary>
    public ThrottleStage? Throttle { get; }

    /// <summary>The validated options; never handed out (callers get a clone), never changed.</summary>
    public CircuitBreakerOptions Options { get; }

    /// <summary>The slow-call threshold in ticks; 0 when calls are not timed.</summary>
    public long SlowThresholdTicks { get; }

    public long ProbeTimeoutTicks { get; }

    /// <summary>The trip policy's meter wants the current time on every record (time windows).</summary>
    public bool MeterNeedsClock { get; }

    public Func<Exception, bool>? ShouldHandleException { get; }

    public ResultPredicate? ShouldHandleResult { get; }

    /// <summary>A fresh, empty window for a closed (or disabled) state.</summary>
    public TripMeter NewMeter() => Options.TripPolicy.CreateMeter();

    /// <summary>The probe slots of a new half-open round: the round keeps these rules whatever is reconfigured during it.</summary>
    public HalfOpenProbes NewRound() => new(Options.HalfOpenPermits, Options.SuccessesToClose ?? Options.HalfOpenPermits);

    /// <summary>The break for the n-th consecutive re-open: grown by the backoff, capped, then shortened by jitter.</summary>
    /// <param name="consecutiveOpens">Re-opens since the breaker last closed.</param>
    /// <param name="jitter">A number in [0, 1), read only when jitter is configured and
    /// <see cref="CircuitBreakerOptions.JitterSource"/> is not set.</param>
    public long BreakTicks(int consecutiveOpens, Func<double> jitter)
    {
        double ticks = Options.BreakDuration.Ticks * Math.Pow(Options.BreakDurationBackoff, consecutiveOpens);
        if (Options.MaxBreakDuration is { } max)
        {
            ticks = Math.Min(ticks, max.Ticks);
        }

        if (Options.BreakDurationJitter > 0)
        {
            ticks *= 1 - (Options.BreakDurationJitter * InUnitInterval((Options.JitterSource ?? jitter)()));
        }

        return Math.Max(1, (long)ticks);
    }

    /// <summary>A user's jitter source may return anything; clamping keeps every break within [1 - jitter, 1] of its
    /// nominal length (NaN fails both comparisons and becomes 0: the full break).</summary>
    private static double InUnitInterval(double draw) => draw >= 0 ? Math.Min(draw, Math.BitDecrement(1.0)) : 0;
}
