namespace Fusebox.Replay;

/// <summary>A span of the replay in which a breaker was open or half-open, from the start of the trace.</summary>
/// <param name="State"><see cref="BreakerState.Open"/> (rejecting, within its break) or <see cref="BreakerState.HalfOpen"/>
/// (from the end of the break until the probes closed or re-opened it).</param>
/// <param name="Start">When it began.</param>
/// <param name="End">When it ended (for the last interval possibly the end of the trace).</param>
/// <param name="Reason">Why it began: the trip policy that opened it, <see cref="TransitionReason.ProbeFailed"/> for a
/// re-open, <see cref="TransitionReason.BreakElapsed"/> for a half-open span.</param>
public readonly record struct BreakerInterval(BreakerState State, TimeSpan Start, TimeSpan End, TransitionReason Reason)
{
    /// <summary><see cref="End"/> − <see cref="Start"/>.</summary>
    public TimeSpan Length => End - Start;
}
