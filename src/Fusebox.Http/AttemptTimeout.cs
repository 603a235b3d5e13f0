namespace Fusebox.Http;

/// <summary>
/// The token one request is sent with: the caller's, linked with the handler's own timeout when one is set. It keeps
/// the two causes of cancellation apart, which the caller's token alone cannot.
/// </summary>
internal readonly struct AttemptTimeout : IDisposable
{
    private readonly CancellationTokenSource? _timeout;
    private readonly CancellationTokenSource? _linked;
    private readonly CancellationToken _caller;

    public AttemptTimeout(TimeSpan? timeout, TimeProvider timeProvider, CancellationToken caller)
    {
        _caller = caller;
        if (timeout is { } limit)
        {
            _timeout = new CancellationTokenSource(limit, timeProvider);
            _linked = CancellationTokenSource.CreateLinkedTokenSource(caller, _timeout.Token);
        }
    }

    public CancellationToken Token => _linked?.Token ?? _caller;

    public bool CallerCancelled => _caller.IsCancellationRequested;

    public bool TimedOut => _timeout is { IsCancellationRequested: true } && !_caller.IsCancellationRequested;

    public void Dispose()
    {
        _linked?.Dispose();
        _timeout?.Dispose();
    }
}
