namespace Fusebox.Redis;

/// <summary>The shared state of one breaker as read from a script reply or a pub/sub message, already validated by
/// <see cref="ReplyParser"/> (every field is in its allowed range).</summary>
internal sealed record ClusterView
{
    public required string Epoch { get; init; }

    public required long Generation { get; init; }

    public required BreakerState State { get; init; }

    /// <summary>Open: milliseconds of the shared break left when Redis answered.</summary>
    public long OpenLeftMs { get; init; }

    public int ConsecutiveOpens { get; init; }

    public string Description { get; init; } = "";

    public string DecidedBy { get; init; } = "";

    public int ProbesLeft { get; init; }

    public int ProbeSuccesses { get; init; }

    public int SuccessesToClose { get; init; }

    public int ProbeSlots { get; init; }

    /// <summary>Half-open: milliseconds left before the round may be restarted.</summary>
    public long RoundLeftMs { get; init; }

    /// <summary>The script's result code (0 lost/ignored, 1 done, 2 done and transitioned).</summary>
    public int Code { get; init; }

    public long Extra { get; init; }

    /// <summary>For a flush of a breaker with adaptive throttling: the other replicas' window requests and accepts
    /// (<see cref="RedisScripts.Flush"/>); null in every other reply and message.</summary>
    public (long Requests, long Accepts)? ThrottleOthers { get; init; }

    /// <summary>When this view was received, in milliseconds of the coordinator's clock (<see cref="CoordinatorClock.NowMs"/>).</summary>
    public long ReceivedAt { get; init; }

    /// <summary>For a reply: when the call was sent, on the same clock as <see cref="ReceivedAt"/>; 0 for a message.
    /// A reply to a call sent after a newer view was received shows what Redis held after that view.</summary>
    public long RequestedAt { get; init; }

    /// <summary>For a message: the deciding replica's wall clock when it sent the script, Unix microseconds.</summary>
    public long SentAtMicros { get; init; }

    public long OpenUntil => ReceivedAt + OpenLeftMs;

    public long RoundDeadline => ReceivedAt + RoundLeftMs;

    /// <summary>
    /// True when both views come from the same committed transition. A transition writes state, decider, description
    /// and consecutive opens together with a new generation; between transitions only the probe counters and the time
    /// left change. Two views of one epoch and generation that differ here mean Redis lost a write (a failover to a
    /// replica that had not received it) and another replica then wrote a different transition at that generation.
    /// </summary>
    public bool SameTransitionAs(ClusterView other) =>
        State == other.State && ConsecutiveOpens == other.ConsecutiveOpens &&
        string.Equals(DecidedBy, other.DecidedBy, StringComparison.Ordinal) &&
        string.Equals(Description, other.Description, StringComparison.Ordinal);
}
