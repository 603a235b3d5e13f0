namespace Fusebox;

/// <summary>One state transition of a breaker, kept in <see cref="CircuitSnapshot.RecentTransitions"/>.</summary>
/// <param name="At">When the transition happened (the breaker's clock).</param>
/// <param name="From">The state left.</param>
/// <param name="To">The state entered.</param>
/// <param name="Reason">Why.</param>
/// <param name="Description">A human-readable explanation, e.g. <c>"5 consecutive failures"</c>.</param>
/// <param name="Generation">The generation of the state entered.</param>
public sealed record TransitionRecord(DateTimeOffset At, BreakerState From, BreakerState To, TransitionReason Reason, string? Description, long Generation);
