using System.Diagnostics;
using System.Runtime.CompilerServices;
using Fusebox.Internal;

namespace Fusebox;

/// <summary>
/// Adds Fusebox's span events (<see cref="FuseboxTracing"/>) to the current activity. Each entry point inlines one
/// check, <see cref="ActivitySource.HasListeners"/>, and keeps everything else (the current activity, the tags, the
/// clock read) out of line, so with nobody listening a rejection, transition, retry or fallback pays a field read
/// and allocates nothing. The closed call path never comes here.
/// </summary>
internal static class TraceEvents
{
    internal static readonly ActivitySource Source = new(FuseboxTracing.SourceName, typeof(TraceEvents).Assembly.GetName().Version?.ToString());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Rejected(string breaker, BreakerState state, TimeSpan? retryAfter, TimeProvider time)
    {
        if (Source.HasListeners())
        {
            AddRejected(breaker, state, retryAfter, time);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StateChanged(string breaker, StateRecord from, StateRecord to)
    {
        if (Source.HasListeners())
        {
            AddStateChange(breaker, from, to);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Retry(string breaker, int attempt, TimeSpan delay, Exception? failure, TimeProvider time)
    {
        if (Source.HasListeners())
        {
            AddRetry(breaker, attempt, delay, failure, time);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Fallback(string breaker, FallbackReason reason, Exception? failure, TimeProvider time)
    {
        if (Source.HasListeners())
        {
            AddFallback(breaker, reason, failure, time);
        }
    }

    /// <summary>The activity to add to: the current one, when it records data (a sampled-out span would drop the event).</summary>
    private static Activity? Recording() => Activity.Current is { IsAllDataRequested: true } activity ? activity : null;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddRejected(string breaker, BreakerState state, TimeSpan? retryAfter, TimeProvider time)
    {
        if (Recording() is not { } activity)
        {
            return;
        }

        var tags = new ActivityTagsCollection
        {
            { FuseboxTracing.BreakerNameTag, breaker },
            { FuseboxTracing.BreakerStateTag, StateNames.Of(state) },
            { FuseboxTracing.RejectionReasonTag, state switch { BreakerState.HalfOpen => "probes_taken", BreakerState.Isolated => "isolated", _ => "open" } },
        };
        if (retryAfter is { } left)
        {
            tags.Add(FuseboxTracing.RetryAfterTag, left.TotalSeconds);
        }

        activity.AddEvent(new ActivityEvent(FuseboxTracing.RejectedEventName, time.GetUtcNow(), tags));
    }

    // Stamped with the new record's ChangedAt: the time CircuitBreaker.StateChanged reports, from the breaker's clock.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddStateChange(string breaker, StateRecord from, StateRecord to)
    {
        if (Recording() is not { } activity)
        {
            return;
        }

        var tags = new ActivityTagsCollection
        {
            { FuseboxTracing.BreakerNameTag, breaker },
            { FuseboxTracing.PreviousStateTag, StateNames.Of(from.State) },
            { FuseboxTracing.BreakerStateTag, StateNames.Of(to.State) },
            { FuseboxTracing.TransitionReasonTag, ReasonName(to.Reason) },
            { FuseboxTracing.GenerationTag, to.Generation },
        };
        if (to.Description is not null)
        {
            tags.Add(FuseboxTracing.TransitionDescriptionTag, to.Description);
        }

        activity.AddEvent(new ActivityEvent(FuseboxTracing.StateChangeEventName, to.ChangedAt, tags));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddRetry(string breaker, int attempt, TimeSpan delay, Exception? failure, TimeProvider time)
    {
        if (Recording() is not { } activity)
        {
            return;
        }

        var tags = new ActivityTagsCollection
        {
            { FuseboxTracing.BreakerNameTag, breaker },
            { FuseboxTracing.RetryAttemptTag, attempt },
            { FuseboxTracing.RetryDelayTag, delay.TotalSeconds },
        };
        AddErrorType(tags, failure);
        activity.AddEvent(new ActivityEvent(FuseboxTracing.RetryEventName, time.GetUtcNow(), tags));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddFallback(string breaker, FallbackReason reason, Exception? failure, TimeProvider time)
    {
        if (Recording() is not { } activity)
        {
            return;
        }

        var tags = new ActivityTagsCollection
        {
            { FuseboxTracing.BreakerNameTag, breaker },
            { FuseboxTracing.FallbackReasonTag, reason == FallbackReason.Rejected ? "rejected" : "failed" },
        };
        AddErrorType(tags, failure);
        activity.AddEvent(new ActivityEvent(FuseboxTracing.FallbackEventName, time.GetUtcNow(), tags));
    }

    private static void AddErrorType(ActivityTagsCollection tags, Exception? failure)
    {
        if (failure is not null)
        {
            tags.Add(FuseboxTracing.ErrorTypeTag, failure.GetType().FullName);
        }
    }

    internal static string ReasonName(TransitionReason reason) => reason switch
    {
        TransitionReason.Created => "created",
        TransitionReason.ConsecutiveFailures => "consecutive_failures",
        TransitionReason.FailureRate => "failure_rate",
        TransitionReason.SlowCallRate => "slow_call_rate",
        TransitionReason.BreakElapsed => "break_elapsed",
        TransitionReason.ProbesSucceeded => "probes_succeeded",
        TransitionReason.ProbeFailed => "probe_failed",
        TransitionReason.ManualIsolate => "manual_isolate",
        TransitionReason.ManualDisable => "manual_disable",
        TransitionReason.ManualReset => "manual_reset",
        TransitionReason.External => "external",
        TransitionReason.Outlier => "outlier",
        _ => "unknown",
    };
}
