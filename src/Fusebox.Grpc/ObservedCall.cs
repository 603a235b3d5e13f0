using Grpc.Core;

namespace Fusebox.Grpc;

/// <summary>
/// One admitted call and its permit, reported exactly once, by whichever of these comes first: the response arrives
/// or fails (unary, client streaming), the response stream ends or a read of it fails (server streaming, duplex), or
/// the caller disposes the call (then the call's final status counts if it has one, else the permit is released:
/// the caller walked away, which says nothing about the service).
/// </summary>
/// <remarks>
/// These paths can run at the same time (a read completing on one thread while the caller disposes on another), so
/// each claims the report with one <see cref="Interlocked.Exchange(ref int, int)"/> on <see cref="_reported"/>: the
/// first claim reports, every later one does nothing. No lock, and nothing is counted twice; the permit's own ticket
/// would throw on a second report, so a bug here would show as an exception, never as a silent double count.
/// A call that is neither finished nor disposed reports nothing; a half-open probe slot it holds is freed after
/// <see cref="CircuitBreakerOptions.ProbeTimeout"/>.
/// </remarks>
internal abstract class ObservedCall
{
    private readonly CircuitPermit _permit;
    private readonly GrpcOutcomeClassifier _classifier;
    private readonly CancellationToken _callerToken;
    private int _reported;

    protected ObservedCall(in CircuitPermit permit, GrpcOutcomeClassifier classifier, CancellationToken callerToken)
    {
        _permit = permit;
        _classifier = classifier;
        _callerToken = callerToken;
    }

    // The call objects take these with the observed call as their state: no closure per call.
    protected static readonly Func<object, Task<Metadata>> HeadersOf = static s => ((ObservedCall)s).InnerHeaders();
    protected static readonly Func<object, Status> StatusOf = static s => ((ObservedCall)s).InnerStatus();
    protected static readonly Func<object, Metadata> TrailersOf = static s => ((ObservedCall)s).InnerTrailers();
    protected static readonly Action<object> DisposeOf = static s => ((ObservedCall)s).Dispose();

    /// <summary>True once the outcome is reported (for tests).</summary>
    internal bool Reported => Volatile.Read(ref _reported) != 0;

    /// <summary>The call ended with status OK.</summary>
    public void Succeeded()
    {
        if (Claim())
        {
            _permit.RecordSuccess();
        }
    }

    /// <summary>The call, or a read of its response stream with <paramref name="readToken"/>, threw <paramref name="exception"/>.</summary>
    public void Ended(Exception exception, CancellationToken readToken = default)
    {
        if (Claim())
        {
            bool callerCancelled = _callerToken.IsCancellationRequested || readToken.IsCancellationRequested;
            GrpcOutcomeClassifier.Report(_permit, _classifier.Classify(exception, callerCancelled), exception);
        }
    }

    /// <summary>The caller disposes the call: report what is known, then dispose the inner call (which cancels it if
    /// it is still running).</summary>
    public void Dispose()
    {
        if (!Reported)
        {
            ReportOnDispose();
        }

        DisposeInner();
    }

    private void ReportOnDispose()
    {
        // A call can finish without anyone reading its end: a trailers-only error while the caller only looked at the
        // headers, or a duplex call whose write failed. Its status is known then and counts. A call still running
        // has no status: gRPC's GetStatus throws InvalidOperationException (paid only on this abandoned-call path).
        Status status;
        Metadata trailers;
        try
        {
            status = InnerStatus();
            trailers = InnerTrailers();
        }
        catch (InvalidOperationException)
        {
            if (Claim())
            {
                _permit.Release();
            }

            return;
        }

        if (Claim())
        {
            var verdict = _classifier.Classify(status, trailers, _callerToken.IsCancellationRequested);
            GrpcOutcomeClassifier.Report(_permit, verdict);
        }
    }

    /// <summary>Awaits the inner response and reports how it ended; the caller sees the same result or exception.</summary>
    protected async Task<TResponse> ObserveAsync<TResponse>(Task<TResponse> response)
    {
        try
        {
            var value = await response.ConfigureAwait(false);
            Succeeded();
            return value;
        }
        catch (Exception ex)
        {
            Ended(ex);
            throw;
        }
    }

    private bool Claim() => Interlocked.Exchange(ref _reported, 1) == 0;

    protected abstract Task<Metadata> InnerHeaders();

    protected abstract Status InnerStatus();

    protected abstract Metadata InnerTrailers();

    protected abstract void DisposeInner();
}
