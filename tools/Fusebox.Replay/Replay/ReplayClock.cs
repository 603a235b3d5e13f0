namespace Fusebox.Replay;

/// <summary>
/// The replay's time: stands still until the replay moves it to the next event. Timestamps are TimeSpan ticks from
/// the start of the trace, so the breaker's durations and windows are exactly the trace's. No timers: the breaker needs
/// none (open → half-open is decided lazily on the next call, and a probe's timeout on the next claim).
/// </summary>
internal sealed class ReplayClock(DateTimeOffset origin) : TimeProvider
{
    private TimeSpan _now;

    public TimeSpan Now => _now;

    /// <summary>Moves time to <paramref name="at"/>; never back (events are processed in time order).</summary>
    public void MoveTo(TimeSpan at)
    {
        if (at < _now)
        {
            throw new InvalidOperationException($"The replay clock cannot go back from {_now} to {at}.");
        }

        _now = at;
    }

    public override DateTimeOffset GetUtcNow() => origin + _now;

    public override long GetTimestamp() => _now.Ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
}
