using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Fusebox.Redis;

/// <summary>A local transition to share, or a command from <see cref="RedisStateCoordinator.IsolateAsync"/> and friends.</summary>
internal sealed record PendingChange(SharedBreaker Shared, BreakerStateChangedEventArgs? Change, BreakerState? Command, string? Reason,
    TaskCompletionSource<bool>? Done, bool Publishes);

/// <summary>
/// The local changes waiting for the loop: breakers' transitions (queued from inside the breaker, on the caller's
/// thread: nothing else happens there) and operators' commands; and the loop's wake-up signal.
/// </summary>
internal sealed class ChangeQueue
{
    // The breaker whose command this thread is applying locally while Redis is unavailable (see ApplyWhileUnavailable).
    [ThreadStatic]
    private static SharedBreaker? t_applyingCommand;

    private readonly ConcurrentQueue<PendingChange> _work = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public bool IsEmpty => _work.IsEmpty;

    /// <summary>For tests: the changes the loop has taken from the queue so far.</summary>
    public long Dequeued => Volatile.Read(ref _dequeued);

    private long _dequeued;

    public bool TryDequeue(out PendingChange change)
    {
        if (_work.TryDequeue(out change!))
        {
            Interlocked.Increment(ref _dequeued);
            return true;
        }

        return false;
    }

    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>Waits for a wake-up at most <paramref name="delay"/> on the coordinator's clock; <paramref name="waiting"/>
    /// runs once the timer is set (a test that then advances a fake clock knows the timer will see it).</summary>
    public async Task WaitAsync(TimeSpan delay, TimeProvider time, CancellationToken stop, Action? waiting = null)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        using var timer = time.CreateTimer(static s => ((CancellationTokenSource)s!).Cancel(), timeout, delay, Timeout.InfiniteTimeSpan);
        waiting?.Invoke();
        try
        {
            await _wake.Reader.ReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>A breaker's own transition (reason other than <see cref="TransitionReason.External"/>).</summary>
    public void EnqueueChange(SharedBreaker shared, BreakerStateChangedEventArgs e)
    {
        // A change that will be published: until it is, newer-looking shared state must not undo it.
        bool publishes = e.Reason is TransitionReason.ManualIsolate or TransitionReason.ManualDisable or TransitionReason.ManualReset
            or TransitionReason.ProbeFailed
            || (shared.Mode == SharingMode.Any && e.Reason is TransitionReason.ConsecutiveFailures or TransitionReason.FailureRate or TransitionReason.SlowCallRate);
        if (publishes)
        {
            Interlocked.Increment(ref shared.PendingPublishes);
        }

        _work.Enqueue(new PendingChange(shared, e, null, null, null, publishes));
        Wake();
    }

    /// <summary>Queues a manual state for publishing; until it is published, newer-looking shared state must not undo it.</summary>
    public void EnqueueCommand(SharedBreaker shared, BreakerState target, string? reason, TaskCompletionSource<bool>? done)
    {
        Interlocked.Increment(ref shared.PendingPublishes);
        _work.Enqueue(new PendingChange(shared, null, target, reason, done, Publishes: true));
        Wake();
    }

    /// <summary>
    /// True while this thread applies a command to <paramref name="shared"/> locally (<see cref="ApplyWhileUnavailable"/>):
    /// the breaker's <c>ManualControl</c> event for it is this coordinator's own echo, not a new command. Without this,
    /// a command that changes nothing (a reset of a closed breaker) queued itself again on every pass: a livelock
    /// that pinned the loop while Redis was down.
    /// </summary>
    public static bool IsApplyingCommand(SharedBreaker shared) => ReferenceEquals(t_applyingCommand, shared);

    /// <summary>Redis is unavailable: a command applies here now; manual changes are kept to publish when it returns.</summary>
    public static void ApplyWhileUnavailable(PendingChange work)
    {
        var shared = work.Shared;
        if (work.Command is { } command)
        {
            // Apply here now; the breaker's own event records a change for publishing. The event is raised on this
            // thread, inside the call, so the thread-static marks exactly the echo of this call.
            // The generation before applying: a command that changes nothing leaves it; one that changes the state raises
            // an echo (queued behind this work) whose own generation replaces it. A local transition racing in between
            // makes the command change the state, so the echo's generation is still the one the command left.
            long generation = shared.Breaker.Generation;
            t_applyingCommand = shared;
            try
            {
                switch (command)
                {
                    case BreakerState.Isolated: shared.Breaker.Isolate(work.Reason); break;
                    case BreakerState.Disabled: shared.Breaker.Disable(work.Reason); break;
                    default: shared.Breaker.Reset(work.Reason); break;
                }
            }
            finally
            {
                t_applyingCommand = null;
            }

            lock (shared.Gate)
            {
                shared.PendingManual = command;
                shared.PendingManualReason = work.Reason;
                shared.PendingManualGeneration = generation;
            }

            work.Done?.TrySetResult(false);
            return;
        }

        if (work.Change is { Reason: TransitionReason.ManualIsolate or TransitionReason.ManualDisable or TransitionReason.ManualReset } e)
        {
            lock (shared.Gate)
            {
                shared.PendingManual = e.NewState;
                shared.PendingManualReason = e.Description;
                shared.PendingManualGeneration = e.Generation;
            }
        }
    }

    /// <summary>Completes the waiting commands with false (the coordinator is disposed).</summary>
    public void Abandon()
    {
        while (_work.TryDequeue(out var work))
        {
            work.Done?.TrySetResult(false);
        }
    }
}
