namespace Fusebox.Internal;

/// <summary>
/// A reusable cancellation source armed by a <see cref="TimeProvider"/> timer and linked to the caller's token.
/// Renting one from the pool and returning it after the attempt keeps timeouts allocation-free in the steady state:
/// the source is reset with <see cref="CancellationTokenSource.TryReset"/> and the timer re-armed with
/// <see cref="ITimer.Change"/>. An item that fired, or that might still be fired by its timer, is never pooled.
/// </summary>
/// <remarks>
/// <para>One rental ends in exactly one of two ways, decided by one compare-and-swap on <c>_state</c>: the timer's
/// callback wins <c>Armed → Fired</c> and cancels the token, or <see cref="Return"/> wins <c>Armed → Returned</c> and
/// the callback, if it runs at all, does nothing. Before, <see cref="Return"/> read a flag, reset and pooled the source
/// while the callback was about to run; the callback then cancelled the pooled source and the next, unrelated call
/// failed at once with a timeout.</para>
/// <para>Winning the swap is not enough to pool the item: the runtime's timer queue may already have dispatched the
/// callback to the thread pool, where it cannot be recalled, and a callback queued for rental N that runs during
/// rental N+1 would win N+1's swap. The callback cannot tell rentals apart (its state object is fixed when the timer is
/// created), so <see cref="Return"/> keeps the item only when no callback of this rental can have been dispatched:
/// after <see cref="ITimer.Change"/> has disarmed the timer, the clock still reads more than
/// <see cref="DispatchSlack"/> before the deadline. A timer is never due before its deadline; the slack covers the
/// timer queue's millisecond tick (1 to 16 ms, depending on the OS) running slightly ahead of the provider's
/// timestamp. Items returned close to their deadline, and every item of a timeout shorter than the slack, are
/// disposed instead (one allocation on the next rent), which is rare and safe.</para>
/// </remarks>
internal sealed class PooledTimeout
{
    /// <summary>How close to its deadline a returned item is no longer pooled.</summary>
    internal static readonly TimeSpan DispatchSlack = TimeSpan.FromMilliseconds(50);

    private const int Armed = 0;
    private const int Fired = 1;
    private const int Returned = 2;

    private readonly CancellationTokenSource _source = new();
    private readonly TimeProvider _timeProvider;
    private readonly TimeoutPool _pool;
    private readonly ITimer _timer;
    private CancellationTokenRegistration _callerRegistration;
    private TimeSpan _timeout;
    private long _armedAt;
    private int _state;

    private PooledTimeout(TimeProvider timeProvider, TimeoutPool pool)
    {
        _timeProvider = timeProvider;
        _pool = pool;
        _timer = timeProvider.CreateTimer(static s => ((PooledTimeout)s!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public CancellationToken Token => _source.Token;

    /// <summary>True when the timer, not the caller, cancelled the token.</summary>
    public bool TimedOut => Volatile.Read(ref _state) == Fired;

    public static PooledTimeout Rent(TimeSpan timeout, TimeProvider timeProvider, CancellationToken caller)
    {
        var pool = TimeoutPool.For(timeProvider);
        var item = pool.TryTake() ?? new PooledTimeout(timeProvider, pool);

        // Every per-rental field is set here, before the timer is armed: a pooled item carries nothing of its last
        // rental (the pool only holds items whose state was Returned and whose source was reset).
        item._timeout = timeout;
        item._armedAt = timeProvider.GetTimestamp();
        Volatile.Write(ref item._state, Armed);
        if (caller.CanBeCanceled)
        {
            item._callerRegistration = caller.UnsafeRegister(static s => ((PooledTimeout)s!)._source.Cancel(), item);
        }

        item._timer.Change(timeout, Timeout.InfiniteTimeSpan);
        return item;
    }

    public void Return()
    {
        bool returnedFirst = Interlocked.CompareExchange(ref _state, Returned, Armed) == Armed;
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _callerRegistration.Dispose(); // waits for a running caller callback, so none can cancel a pooled source
        _callerRegistration = default;

        // The clock is read after Change: if it is still short of the deadline by the slack, the timer was not due
        // when it was disarmed, so no callback of this rental exists or will exist.
        bool callbackMayBePending = _timeProvider.GetElapsedTime(_armedAt) >= _timeout - DispatchSlack;
        if (returnedFirst && !callbackMayBePending && _source.TryReset() && _pool.TryAdd(this))
        {
            return;
        }

        _timer.Dispose();
        if (returnedFirst)
        {
            // When Fire won, its Cancel may still be running on the timer's thread: the source is left to the GC
            // (it owns no timer or wait handle of its own) instead of being disposed under it.
            _source.Dispose();
        }
    }

    private void Fire()
    {
        if (Interlocked.CompareExchange(ref _state, Fired, Armed) == Armed)
        {
            _source.Cancel();
        }
    }
}
