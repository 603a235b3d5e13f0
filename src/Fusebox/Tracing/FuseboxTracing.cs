namespace Fusebox;

/// <summary>
/// The names Fusebox traces with: the <c>Fusebox</c> <see cref="System.Diagnostics.ActivitySource"/>, its span events
/// and their tags (OpenTelemetry semantic-convention style: dotted lower-case names, durations in seconds).
/// </summary>
/// <remarks>
/// Fusebox starts no spans of its own. While a listener is attached to the source (OpenTelemetry:
/// <c>AddSource("Fusebox")</c>), rejections, state changes, retries and fallbacks are added as events to
/// <see cref="System.Diagnostics.Activity.Current"/> — the caller's own span — when that span records data. With no
/// current span nothing is recorded: a rejection is then seen in the <c>fusebox.calls</c> metric and a state change in
/// metrics, logs and <see cref="CircuitBreaker.StateChanged"/>, rather than as a new trace per rejected call during an
/// outage. A successful call through a closed breaker does no tracing work at all.
/// </remarks>
public static class FuseboxTracing
{
    /// <summary>The activity source name to subscribe to (OpenTelemetry: <c>AddSource("Fusebox")</c>).</summary>
    public const string SourceName = "Fusebox";

    /// <summary>Event: the breaker rejected a call without running it.</summary>
    public const string RejectedEventName = "fusebox.rejected";

    /// <summary>Event: the breaker changed state.</summary>
    public const string StateChangeEventName = "fusebox.state_change";

    /// <summary>Event: a resilient caller is about to retry.</summary>
    public const string RetryEventName = "fusebox.retry";

    /// <summary>Event: a resilient caller returned its fallback's value.</summary>
    public const string FallbackEventName = "fusebox.fallback";

    /// <summary>Tag on every event: the breaker's name.</summary>
    public const string BreakerNameTag = "fusebox.breaker.name";

    /// <summary>Tag: the breaker's state (for a state change, the new one): closed, open, half_open, isolated, disabled.</summary>
    public const string BreakerStateTag = "fusebox.breaker.state";

    /// <summary>Tag on a state change: the state it left.</summary>
    public const string PreviousStateTag = "fusebox.breaker.previous_state";

    /// <summary>Tag on a state change: the new state's generation number.</summary>
    public const string GenerationTag = "fusebox.breaker.generation";

    /// <summary>Tag on a state change: why, in snake case (<c>consecutive_failures</c>, <c>failure_rate</c>,
    /// <c>slow_call_rate</c>, <c>break_elapsed</c>, <c>probes_succeeded</c>, <c>probe_failed</c>,
    /// <c>manual_isolate</c>, <c>manual_disable</c>, <c>manual_reset</c>, <c>external</c>).</summary>
    public const string TransitionReasonTag = "fusebox.transition.reason";

    /// <summary>Tag on a state change, when there is one: its description (the numbers that tripped it, an operator's reason).</summary>
    public const string TransitionDescriptionTag = "fusebox.transition.description";

    /// <summary>Tag on a rejection: <c>open</c> (within the break), <c>probes_taken</c> (half-open, every probe slot
    /// in use) or <c>isolated</c> (held open by an operator).</summary>
    public const string RejectionReasonTag = "fusebox.rejection.reason";

    /// <summary>Tag on a rejection, when known: seconds until the breaker admits a probe (a double).</summary>
    public const string RetryAfterTag = "fusebox.rejection.retry_after";

    /// <summary>Tag on a retry: the attempt that failed, from 1 (the next attempt is this plus one).</summary>
    public const string RetryAttemptTag = "fusebox.retry.attempt";

    /// <summary>Tag on a retry: seconds the caller waits before the next attempt (a double).</summary>
    public const string RetryDelayTag = "fusebox.retry.delay";

    /// <summary>Tag on a fallback: <c>rejected</c> or <c>failed</c>.</summary>
    public const string FallbackReasonTag = "fusebox.fallback.reason";

    /// <summary>Tag on a retry or a fallback after a thrown exception: the exception's full type name (OpenTelemetry's
    /// <c>error.type</c>). Absent when the attempt returned a result that was retried or replaced.</summary>
    public const string ErrorTypeTag = "error.type";
}
