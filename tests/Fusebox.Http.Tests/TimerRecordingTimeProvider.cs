using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Http.Tests;

/// <summary>
/// A fake clock that remembers the due time of every timer created on it. A test that advances the clock over a wait
/// of the code under test must first know that the wait's timer exists: advancing before the timer is created (the
/// code announced the wait, e.g. in <c>OnRetry</c>, but had not yet started <c>Task.Delay</c>) leaves a timer due
/// after the jump, which then never fires.
/// </summary>
internal sealed class TimerRecordingTimeProvider : FakeTimeProvider
{
    private readonly ConcurrentQueue<TimeSpan> _dueTimes = new();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _dueTimes.Enqueue(dueTime); // after base.CreateTimer: once seen here, the timer is registered with the clock
        return timer;
    }

    /// <summary>Waits (on the real clock, bounded) until a timer due <paramref name="dueTime"/> after its creation exists.</summary>
    public async Task WaitForTimerAsync(TimeSpan dueTime, double seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!_dueTimes.Contains(dueTime))
        {
            Assert.True(DateTime.UtcNow < deadline,
                $"no timer due in {dueTime} was created within {seconds} s; timers created: {string.Join(", ", _dueTimes)}");
            await Task.Delay(5);
        }
    }
}
