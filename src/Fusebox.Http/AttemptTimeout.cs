using Fusebox.Internal;

namespace Fusebox.Http;

/// <summary>
/// The token one request is sent with: the caller's, linked with the handler's own timeout when one is set. It keeps
/// the two causes of cancellation apart, which the caller's token alone cannot. The timeout source is rented from the
/// core's pool (reset and reused), so a request with a timeout allocates no cancellation source or timer once warm.
/// </summary>
internal readonly struct AttemptTimeout : IDisposable
{
    private readonly PooledTimeout? _timeout;
    private readonly CancellationToken _caller;

    public AttemptTimeout(TimeSpan? timeout, TimeProvider timeProvider, CancellationToken caller)
    {
        _caller = caller;
        _timeout = timeout is { } limit ? PooledTimeout.Rent(limit, timeProvider, caller) : null;
    }

    public CancellationToken Token => _timeout?.Token ?? _caller;

    public bool CallerCancelled => _caller.IsCancellationRequested;

    public bool TimedOut => _timeout is { TimedOut: true } && !_caller.IsCancellationRequested;

    public void Dispose() => _timeout?.Return();
}
