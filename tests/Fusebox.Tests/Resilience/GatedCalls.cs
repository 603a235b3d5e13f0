namespace Fusebox.Tests.Resilience;

/// <summary>A dependency whose calls each wait on their own gate, opened by the test; a call's gate fails with
/// cancellation when its token is cancelled, unless the call ignores its token.</summary>
internal sealed class GatedCalls<T>(bool honourCancellation = true)
{
    private readonly List<Call> _calls = [];
    private readonly Dictionary<int, TaskCompletionSource<Call>> _started = [];

    public int Count
    {
        get
        {
            lock (_calls)
            {
                return _calls.Count;
            }
        }
    }

    public Call this[int index]
    {
        get
        {
            lock (_calls)
            {
                return _calls[index];
            }
        }
    }

    public ValueTask<T> CallAsync(CancellationToken cancellationToken)
    {
        var call = new Call(new TaskCompletionSource<T>(), cancellationToken);
        if (honourCancellation)
        {
            cancellationToken.Register(static s => ((Call)s!).Gate.TrySetCanceled(), call);
        }

        TaskCompletionSource<Call> started;
        lock (_calls)
        {
            _calls.Add(call);
            started = StartedSource(_calls.Count);
        }

        started.TrySetResult(call);
        return new ValueTask<T>(call.Gate.Task);
    }

    /// <summary>Completes when the <paramref name="n"/>-th call (from 1) has started; a 10 s guard against a hang only.</summary>
    public Task<Call> Started(int n)
    {
        lock (_calls)
        {
            return StartedSource(n).Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    private TaskCompletionSource<Call> StartedSource(int n)
    {
        if (!_started.TryGetValue(n, out var source))
        {
            _started[n] = source = new TaskCompletionSource<Call>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        return source;
    }

    internal sealed record Call(TaskCompletionSource<T> Gate, CancellationToken Token);
}

/// <summary>A result that knows whether it was disposed.</summary>
internal sealed class DisposableResult(int value) : IDisposable
{
    public int Value => value;

    public bool Disposed { get; private set; }

    public void Dispose() => Disposed = true;
}
