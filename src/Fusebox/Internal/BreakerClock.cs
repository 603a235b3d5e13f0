using System.Diagnostics;

namespace Fusebox.Internal;

/// <summary>
/// Reads time for the hot path in <see cref="TimeSpan"/> ticks. With <see cref="TimeProvider.System"/> it uses
/// <see cref="Environment.TickCount64"/> (a few ns, millisecond resolution) for break and window decisions and
/// <see cref="Stopwatch"/> only to measure call durations; any other provider (a fake in tests) is honoured exactly.
/// Why: an open-state rejection is little more than a clock read, so the clock is the floor of its cost.
/// </summary>
internal sealed class BreakerClock
{
    private readonly TimeProvider _provider;
    private readonly bool _isSystem;
    private readonly double _providerTicksToTimeSpanTicks;
    private static readonly double s_stopwatchToTimeSpanTicks = (double)TimeSpan.TicksPerSecond / Stopwatch.Frequency;

    public BreakerClock(TimeProvider provider)
    {
        _provider = provider;
        _isSystem = ReferenceEquals(provider, TimeProvider.System);
        _providerTicksToTimeSpanTicks = (double)TimeSpan.TicksPerSecond / provider.TimestampFrequency;
    }

    public TimeProvider Provider => _provider;

    /// <summary>True for <see cref="TimeProvider.System"/>, where a high-resolution read costs a Stopwatch read.</summary>
    public bool IsSystem => _isSystem;

    /// <summary>Monotonic time for state and window decisions, in TimeSpan ticks.</summary>
    public long Now() => _isSystem
        ? Environment.TickCount64 * TimeSpan.TicksPerMillisecond
        : ProviderTicks();

    /// <summary>High-resolution monotonic time for call durations, in TimeSpan ticks. Only compare with itself.</summary>
    public long NowPrecise() => _isSystem
        ? (long)(Stopwatch.GetTimestamp() * s_stopwatchToTimeSpanTicks)
        : ProviderTicks();

    /// <summary>Wall-clock time for events and snapshots.</summary>
    public DateTimeOffset UtcNow() => _provider.GetUtcNow();

    private long ProviderTicks()
    {
        long ts = _provider.GetTimestamp();
        return _provider.TimestampFrequency == TimeSpan.TicksPerSecond ? ts : (long)(ts * _providerTicksToTimeSpanTicks);
    }
}
