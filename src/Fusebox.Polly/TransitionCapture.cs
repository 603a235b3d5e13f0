using System.Runtime.CompilerServices;

namespace Fusebox.Polly;

/// <summary>
/// Tells a call through the strategy whether it, and not some other caller of the same shared breaker, made the
/// breaker change state, so Polly's telemetry gets each transition once, with the context of the call that caused it
/// (as Polly's own breaker reports them).
/// </summary>
/// <remarks>
/// A breaker raises <see cref="CircuitBreaker.StateChanged"/> synchronously, on the thread whose compare-and-swap made
/// the transition, inside <see cref="CircuitBreaker.TryAcquire(out CircuitPermit, out TimeSpan?)"/> (open to half-open)
/// or a permit's report (a trip, a failed probe, the closing probe). So the strategy arms a thread-static slot around
/// exactly those synchronous calls, and one static handler, subscribed once per breaker, records the change when the
/// slot is armed for that breaker on the raising thread. A transition won by another thread is raised there, where the
/// slot is not armed for it (or is armed for that thread's own call, which did make it). Costs a few thread-static
/// writes per call and nothing per breaker once watched; the handler is static, so a watched breaker keeps no strategy
/// alive, and nothing needs unsubscribing when Polly disposes a pipeline.
/// Known gap, on purpose: a breaker whose own asynchronous result clause completes later reports that outcome from a
/// continuation, outside the armed span; that transition reaches the breaker's events and metrics but not Polly's.
/// </remarks>
internal static class TransitionCapture
{
    private static readonly ConditionalWeakTable<CircuitBreaker, object> s_watched = new();
    private static readonly object s_marker = new();
    private static readonly EventHandler<BreakerStateChangedEventArgs> s_record = Record;

    [ThreadStatic]
    private static CircuitBreaker? t_armedFor;

    [ThreadStatic]
    private static BreakerStateChangedEventArgs? t_seen;

    /// <summary>Subscribes the capturing handler to <paramref name="breaker"/>, once whoever races.</summary>
    public static void Watch(CircuitBreaker breaker)
    {
        if (s_watched.TryAdd(breaker, s_marker))
        {
            breaker.StateChanged += s_record;
        }
    }

    /// <summary>Starts recording transitions of <paramref name="breaker"/> raised on this thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Arm(CircuitBreaker breaker) => t_armedFor = breaker;

    /// <summary>Stops recording; returns the transition raised since <see cref="Arm"/>, if any.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static BreakerStateChangedEventArgs? Disarm()
    {
        t_armedFor = null;
        var seen = t_seen;
        if (seen is not null)
        {
            t_seen = null;
        }

        return seen;
    }

    private static void Record(object? sender, BreakerStateChangedEventArgs change)
    {
        if (t_armedFor is { } armed && ReferenceEquals(sender, armed))
        {
            t_seen = change;
        }
    }
}
