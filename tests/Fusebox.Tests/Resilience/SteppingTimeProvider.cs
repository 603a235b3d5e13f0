using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Tests.Resilience;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that knows its timers and when the code under test starts waiting on it, so a
/// test advances the clock exactly when the caller is blocked, to exactly the next deadline — no real-time sleeps,
/// no counts that depend on how fast the thread pool runs a continuation.
/// </summary>
/// <remarks>
/// A wait starts when a timer is created already armed (what <c>Task.Delay(delay, timeProvider)</c> does) or when an
/// operation calls <see cref="HangAsync{T}"/>. Arming a timer later with <see cref="ITimer.Change"/> (what a pooled
/// timeout does before an attempt) is not a wait: the attempt may still finish on its own.
/// </remarks>
internal sealed class SteppingTimeProvider : FakeTimeProvider
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30); // only ever fails a hung test, never passes one
    private readonly Lock _gate = new();
    private readonly Dictionary<SteppingTimer, long> _armed = [];
    private int _waits;
    private TaskCompletionSource _waitStarted = NewSignal();

    /// <summary>How many waits have started so far.</summary>
    public int Waits
    {
        get
        {
            lock (_gate)
            {
                return _waits;
            }
        }
    }

    /// <summary>The armed timers' due times, relative to now, earliest first.</summary>
    public IReadOnlyList<TimeSpan> PendingTimers
    {
        get
        {
            long now = GetUtcNow().UtcTicks;
            lock (_gate)
            {
                return [.. _armed.Values.Order().Select(due => TimeSpan.FromTicks(due - now))];
            }
        }
    }

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new SteppingTimer(this, callback, state);
        timer.Inner = base.CreateTimer(static s => ((SteppingTimer)s!).Fire(), timer, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        timer.Change(dueTime, period);
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            SignalWait();
        }

        return timer;
    }

    /// <summary>An operation that hangs until its token is cancelled, as an I/O call to a dead host does, and tells
    /// the driver that the caller now waits.</summary>
    public async ValueTask<T> HangAsync<T>(CancellationToken cancellationToken)
    {
        SignalWait();
        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        throw new InvalidOperationException("unreachable: an infinite delay only ends by cancellation");
    }

    /// <summary>Waits (on real time only as a guard that fails the test) until more than <paramref name="seen"/>
    /// waits have started or <paramref name="call"/> has completed.</summary>
    public async Task WaitForWaitAsync(int seen, Task? call = null)
    {
        var deadline = DateTime.UtcNow + Guard;
        while (true)
        {
            Task started;
            lock (_gate)
            {
                if (_waits > seen)
                {
                    return;
                }

                started = _waitStarted.Task;
            }

            if (call is { IsCompleted: true })
            {
                return;
            }

            var left = deadline - DateTime.UtcNow;
            var first = await Task.WhenAny(started, call ?? Task.Delay(Timeout.Infinite), Task.Delay(left > TimeSpan.Zero ? left : TimeSpan.Zero)).ConfigureAwait(false);
            Assert.True(first == started || first == call, $"the call neither completed nor waited on the fake clock within {Guard.TotalSeconds} s of real time");
        }
    }

    /// <summary>
    /// Runs <paramref name="call"/> to completion: each time the caller waits, advances the clock to the earliest
    /// armed timer, then waits for the caller's next wait (or its end). Start the call on this thread just before:
    /// its first wait has then begun when it returned.
    /// </summary>
    public async Task<T> DriveAsync<T>(Task<T> call)
    {
        for (int step = 0; !call.IsCompleted; step++)
        {
            Assert.True(step < 10_000, "the call did not complete within 10,000 clock steps");
            int seen = Waits;
            var next = PendingTimers;
            Assert.True(next.Count > 0, "the call waits, but on nothing the fake clock can fire");
            Advance(next[0]);
            await WaitForWaitAsync(seen, call);
        }

        return await call;
    }

    /// <inheritdoc cref="DriveAsync{T}(Task{T})"/>
    public Task<T> DriveAsync<T>(ValueTask<T> call) => DriveAsync(call.AsTask());

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void SignalWait()
    {
        TaskCompletionSource started;
        lock (_gate)
        {
            _waits++;
            started = _waitStarted;
            _waitStarted = NewSignal();
        }

        started.SetResult();
    }

    private void SetArmed(SteppingTimer timer, TimeSpan dueTime)
    {
        lock (_gate)
        {
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                _armed.Remove(timer);
            }
            else
            {
                _armed[timer] = GetUtcNow().UtcTicks + dueTime.Ticks;
            }
        }
    }

    /// <summary>A timer whose arming the provider sees; the fake clock's own timer does the firing.</summary>
    private sealed class SteppingTimer(SteppingTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public ITimer Inner { get; set; } = null!;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            _period = period;
            owner.SetArmed(this, dueTime);
            return Inner.Change(dueTime, period);
        }

        public void Dispose()
        {
            owner.SetArmed(this, Timeout.InfiniteTimeSpan);
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        public void Fire()
        {
            owner.SetArmed(this, _period); // a one-shot timer is disarmed; a periodic one is due again a period later
            callback(state);
        }
    }
}
