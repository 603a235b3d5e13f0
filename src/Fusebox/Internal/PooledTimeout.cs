namespace Fusebox.Internal;

/// <summary>
/// A reusable cancellation source armed by a <see cref="TimeProvider"/> timer and linked to the caller's token.
/// Renting one from the pool and returning it after the attempt keeps timeouts allocation-free in the steady state:
/// the source is reset with <see cref="CancellationTokenSource.TryReset"/> and the timer re-armed with
/// <see cref="ITimer.Change"/>. A source that did fire is not reusable and is simply dropped.
/// </summary>
internal sealed class PooledTimeout
{
    private static readonly PooledTimeout?[] s_pool = new PooledTimeout?[Math.Min(64, Environment.ProcessorCount * 4)];
    private readonly CancellationTokenSource _source = new();
    private readonly TimeProvider _timeProvider;
    private readonly ITimer _timer;
    private CancellationTokenRegistration _callerRegistration;
    private volatile bool _timedOut;

    private PooledTimeout(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        _timer = timeProvider.CreateTimer(static s => ((PooledTimeout)s!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public CancellationToken Token => _source.Token;

    /// <summary>True when the timer, not the caller, cancelled the token.</summary>
    public bool TimedOut => _timedOut;

    public static PooledTimeout Rent(TimeSpan timeout, TimeProvider timeProvider, CancellationToken caller)
    {
        PooledTimeout? item = null;
        for (int i = 0; i < s_pool.Length && item is null; i++)
        {
            if (s_pool[i] is { } candidate && candidate._timeProvider == timeProvider)
            {
                item = Interlocked.CompareExchange(ref s_pool[i], null, candidate);
                item = ReferenceEquals(item, candidate) ? item : null;
            }
        }

        item ??= new PooledTimeout(timeProvider);
        if (caller.CanBeCanceled)
        {
            item._callerRegistration = caller.UnsafeRegister(static s => ((PooledTimeout)s!)._source.Cancel(), item);
        }

        item._timer.Change(timeout, Timeout.InfiniteTimeSpan);
        return item;
    }

    public void Return()
    {
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _callerRegistration.Dispose();
        _callerRegistration = default;
        if (_timedOut || !_source.TryReset())
        {
            _timer.Dispose();
            _source.Dispose();
            return;
        }

        for (int i = 0; i < s_pool.Length; i++)
        {
            if (Interlocked.CompareExchange(ref s_pool[i], this, null) is null)
            {
                return;
            }
        }

        _timer.Dispose();
        _source.Dispose();
    }

    private void Fire()
    {
        _timedOut = true;
        _source.Cancel();
    }
}
