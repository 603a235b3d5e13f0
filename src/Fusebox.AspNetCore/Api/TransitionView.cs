namespace Fusebox.AspNetCore;

/// <summary>One transition from the breaker's server-side history (<see cref="CircuitSnapshot.RecentTransitions"/>).</summary>
/// <param name="At">When it happened.</param>
/// <param name="From">The state before (snake case, as <c>state</c>).</param>
/// <param name="To">The state after.</param>
/// <param name="Reason">Why, e.g. <c>FailureRate</c>.</param>
/// <param name="Description">A human-readable explanation, e.g. the operator and ticket of a manual change.</param>
/// <param name="Generation">The generation the transition started.</param>
public sealed record TransitionView(DateTimeOffset At, string From, string To, string Reason, string? Description, long Generation)
{
    internal static TransitionView[] ListOf(IReadOnlyList<TransitionRecord> transitions)
    {
        var views = new TransitionView[transitions.Count];
        for (int i = 0; i < views.Length; i++)
        {
            var t = transitions[i];
            views[i] = new(t.At, StateNames.Of(t.From), StateNames.Of(t.To), t.Reason.ToString(), t.Description, t.Generation);
        }

        return views;
    }
}
