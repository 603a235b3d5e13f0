using Grpc.Core;

namespace Fusebox.Grpc;

// The four call kinds around ObservedCall: each wraps what tells it the call is over (the response task, or the
// response stream) and passes everything else through. The request stream of client-streaming and duplex calls is
// not wrapped: a write fails only once the call has ended, and that end reaches the response or the dispose path.

/// <summary>A unary call: over when its response arrives or fails.</summary>
internal sealed class ObservedUnaryCall<TResponse>(AsyncUnaryCall<TResponse> inner, in CircuitPermit permit, GrpcOutcomeClassifier classifier, CancellationToken callerToken)
    : ObservedCall(permit, classifier, callerToken)
{
    public AsyncUnaryCall<TResponse> ToCall() =>
        new(ObserveAsync(inner.ResponseAsync), HeadersOf, StatusOf, TrailersOf, DisposeOf, this);

    protected override Task<Metadata> InnerHeaders() => inner.ResponseHeadersAsync;

    protected override Status InnerStatus() => inner.GetStatus();

    protected override Metadata InnerTrailers() => inner.GetTrailers();

    protected override void DisposeInner() => inner.Dispose();
}

/// <summary>A client-streaming call: over when its response arrives or fails.</summary>
internal sealed class ObservedClientStreamingCall<TRequest, TResponse>(AsyncClientStreamingCall<TRequest, TResponse> inner, in CircuitPermit permit, GrpcOutcomeClassifier classifier, CancellationToken callerToken)
    : ObservedCall(permit, classifier, callerToken)
{
    public AsyncClientStreamingCall<TRequest, TResponse> ToCall() =>
        new(inner.RequestStream, ObserveAsync(inner.ResponseAsync), HeadersOf, StatusOf, TrailersOf, DisposeOf, this);

    protected override Task<Metadata> InnerHeaders() => inner.ResponseHeadersAsync;

    protected override Status InnerStatus() => inner.GetStatus();

    protected override Metadata InnerTrailers() => inner.GetTrailers();

    protected override void DisposeInner() => inner.Dispose();
}

/// <summary>A server-streaming call: over when its response stream ends or a read fails.</summary>
internal sealed class ObservedServerStreamingCall<TResponse>(AsyncServerStreamingCall<TResponse> inner, in CircuitPermit permit, GrpcOutcomeClassifier classifier, CancellationToken callerToken)
    : ObservedCall(permit, classifier, callerToken)
{
    public AsyncServerStreamingCall<TResponse> ToCall() =>
        new(new ObservedStreamReader<TResponse>(inner.ResponseStream, this), HeadersOf, StatusOf, TrailersOf, DisposeOf, this);

    protected override Task<Metadata> InnerHeaders() => inner.ResponseHeadersAsync;

    protected override Status InnerStatus() => inner.GetStatus();

    protected override Metadata InnerTrailers() => inner.GetTrailers();

    protected override void DisposeInner() => inner.Dispose();
}

/// <summary>A duplex call: over when its response stream ends or a read fails.</summary>
internal sealed class ObservedDuplexCall<TRequest, TResponse>(AsyncDuplexStreamingCall<TRequest, TResponse> inner, in CircuitPermit permit, GrpcOutcomeClassifier classifier, CancellationToken callerToken)
    : ObservedCall(permit, classifier, callerToken)
{
    public AsyncDuplexStreamingCall<TRequest, TResponse> ToCall() =>
        new(inner.RequestStream, new ObservedStreamReader<TResponse>(inner.ResponseStream, this), HeadersOf, StatusOf, TrailersOf, DisposeOf, this);

    protected override Task<Metadata> InnerHeaders() => inner.ResponseHeadersAsync;

    protected override Status InnerStatus() => inner.GetStatus();

    protected override Metadata InnerTrailers() => inner.GetTrailers();

    protected override void DisposeInner() => inner.Dispose();
}
