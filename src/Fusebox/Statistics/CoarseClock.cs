namespace Fusebox.Internal;

/// <summary>
/// The second that statistics on <see cref="TimeProvider.System"/> count calls in, kept by one process-wide timer
/// (through <see cref="TimeProvider.System"/>) that starts with the first breaker that collects statistics on the
/// system clock and ticks every <see cref="Period"/>. A call then reads one static field instead of the clock.
/// </summary>
/// <remarks>
/// Why: on the benchmark machine <see cref="Environment.TickCount64"/> costs about 10 ns, as much as the whole
/// closed-path call, and the budget for statistics is 10 ns. The price is precision: a call is counted in the
/// second the timer last saw, so up to one period (plus any delay of the timer's thread-pool callback) after a second
/// begins, calls still land in the previous second's slice. Nothing is lost: the slices move on a little late, all of
/// them together, and a snapshot reads the same clock. Breakers on any other clock (fakes in tests) read their own
/// clock on every call and are exact.
/// </remarks>
internal static class CoarseClock
{
    /// <summary>How often the second and the tick are refreshed.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);

    private static readonly Lock s_gate = new();
    private static ITimer? s_timer;
    private static long s_second;
    private static long s_tick;
    private static long s_now;

    /// <summary>The current second of <see cref="Environment.TickCount64"/> (the system breaker clock), as of the last tick.</summary>
    public static long Second => Volatile.Read(ref s_second);

    /// <summary>The system breaker clock's time (<see cref="Environment.TickCount64"/> in TimeSpan ticks) as of the last
    /// refresh: what adaptive throttling counts in when its buckets are long enough (see <see cref="ThrottleStage"/>).</summary>
    public static long Now => Volatile.Read(ref s_now);

    /// <summary>Increments at every refresh: a call can tell that time has moved on since it last looked.</summary>
    public static long Tick => Volatile.Read(ref s_tick);

    /// <summary>Starts the timer once per process (it lives as long as the process; about ten callbacks a second).</summary>
    public static void EnsureStarted()
    {
        if (Volatile.Read(ref s_timer) is not null)
        {
            return;
        }

        lock (s_gate)
        {
            if (s_timer is null)
            {
                Refresh();
                Volatile.Write(ref s_timer, TimeProvider.System.CreateTimer(static _ => Refresh(), null, Period, Period));
            }
        }
    }

    private static void Refresh()
    {
        long milliseconds = Environment.TickCount64;
        Volatile.Write(ref s_now, milliseconds * TimeSpan.TicksPerMillisecond);
        Volatile.Write(ref s_second, milliseconds / 1000);
        Interlocked.Increment(ref s_tick);
    }
}
