namespace Fusebox.Redis;

/// <summary>
/// The coordinator's only source of time (<see cref="RedisStateOptions.TimeProvider"/>, by default the registry's):
/// deadlines in milliseconds of its monotonic timestamp, wall-clock instants for status and messages, and delays.
/// With a <c>FakeTimeProvider</c> the whole protocol runs on fake time.
/// </summary>
internal sealed class CoordinatorClock(TimeProvider time)
{
    public TimeProvider Provider { get; } = time;

    /// <summary>Monotonic milliseconds (only differences mean anything).</summary>
    public long NowMs => Provider.GetTimestamp() / Math.Max(1, Provider.TimestampFrequency / 1000);

    public DateTimeOffset UtcNow => Provider.GetUtcNow();

    /// <summary>Unix microseconds of the wall clock, for the propagation-delay metric.</summary>
    public long NowMicros => (Provider.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / 10;
}
