namespace Fusebox.Tests.Support;

/// <summary>
/// A clock whose timers never fire on their own: the test decides when each callback runs, so it can run one between
/// any two steps of the code under test (e.g. after a timer was disarmed, as a thread-pool dispatch would).
/// </summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private long _now;

    public List<ManualTimer> Timers { get; } = [];

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Volatile.Read(ref _now);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _now, by.Ticks);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(callback, state, dueTime);
        lock (Timers)
        {
            Timers.Add(timer);
        }

        return timer;
    }
}

/// <summary>A timer that records its arming and runs its callback only when the test calls <see cref="RunCallback"/>.</summary>
internal sealed class ManualTimer(TimerCallback callback, object? state, TimeSpan dueTime) : ITimer
{
    public TimeSpan DueTime { get; private set; } = dueTime;

    public bool Disposed { get; private set; }

    /// <summary>Runs inside <see cref="Change"/>, after the new due time is recorded.</summary>
    public Action<TimeSpan>? OnChange { get; set; }

    public void RunCallback() => callback(state);

    public bool Change(TimeSpan dueTime, TimeSpan period)
    {
        DueTime = dueTime;
        OnChange?.Invoke(dueTime);
        return !Disposed;
    }

    public void Dispose() => Disposed = true;

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
