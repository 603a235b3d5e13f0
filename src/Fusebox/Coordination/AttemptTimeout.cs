using Fusebox.Internal;

namespace Fusebox.Coordination;

/// <summary>
/// The token one attempt runs with: the caller's, linked with a timeout of the integration's own when one is set. It
/// keeps the two causes of cancellation apart, which the caller's token alone cannot (the HTTP handler uses it to
/// count a hung request as a failure and the caller's cancellation as nothing). The timeout source is rented from the
/// core's pool (reset and reused), so an attempt with a timeout allocates no cancellation source or timer once warm.
/// </summary>
/// <remarks>Dispose it exactly once, when the attempt is over, and do not read it afterwards: its source goes back to
/// the pool. It is a struct so that renting one allocates nothing; do not copy it into places that outlive the attempt.</remarks>
public readonly struct AttemptTimeout : IDisposable
{
    private readonly PooledTimeout? _timeout;
    private readonly CancellationToken _caller;

    /// <summary>Starts the attempt's timeout (none when <paramref name="timeout"/> is null).</summary>
    /// <param name="timeout">The attempt's time limit; null for none. Greater than zero.</param>
    /// <param name="timeProvider">The clock the timeout runs on.</param>
    /// <param name="caller">The caller's token; cancelling it cancels <see cref="Token"/> too.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is not greater than zero.</exception>
    public AttemptTimeout(TimeSpan? timeout, TimeProvider timeProvider, CancellationToken caller)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (timeout is { } t && t <= TimeSpan.Zero && t != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), t, "An attempt timeout must be greater than zero.");
        }

        _caller = caller;
        _timeout = timeout is { } limit ? PooledTimeout.Rent(limit, timeProvider, caller) : null;
    }

    /// <summary>The token to run the attempt with: cancelled when the caller cancels or the timeout expires.</summary>
    public CancellationToken Token => _timeout?.Token ?? _caller;

    /// <summary>True when the caller's own token is cancelled.</summary>
    public bool CallerCancelled => _caller.IsCancellationRequested;

    /// <summary>True when the timeout, not the caller, cancelled <see cref="Token"/>.</summary>
    public bool TimedOut => _timeout is { TimedOut: true } && !_caller.IsCancellationRequested;

    /// <summary>Ends the attempt: stops the timer and returns the source to the pool.</summary>
    public void Dispose() => _timeout?.Return();
}
