using Grpc.Core;

namespace Fusebox.Grpc;

/// <summary>
/// A call that was never sent (its breaker rejected it), shaped like a call that failed at once: the response task
/// and the reads throw the rejection, <c>GetStatus()</c> and <c>GetTrailers()</c> give its status and trailers. So code
/// that creates a call now and awaits it later sees the rejection where it would see any other failure.
/// </summary>
internal sealed class RejectedCall<TRequest, TResponse>(RpcException rejection) : IAsyncStreamReader<TResponse>, IClientStreamWriter<TRequest>
{
    private static readonly Func<object, Task<Metadata>> HeadersOf = static s => Task.FromException<Metadata>(((RejectedCall<TRequest, TResponse>)s).Rejection);
    private static readonly Func<object, Status> StatusOf = static s => ((RejectedCall<TRequest, TResponse>)s).Rejection.Status;
    private static readonly Func<object, Metadata> TrailersOf = static s => ((RejectedCall<TRequest, TResponse>)s).Rejection.Trailers;
    private static readonly Action<object> DisposeOf = static _ => { };

    private RpcException Rejection { get; } = rejection;

    public static AsyncUnaryCall<TResponse> Unary(RpcException rejection)
    {
        var call = new RejectedCall<TRequest, TResponse>(rejection);
        return new(Task.FromException<TResponse>(rejection), HeadersOf, StatusOf, TrailersOf, DisposeOf, call);
    }

    public static AsyncServerStreamingCall<TResponse> ServerStreaming(RpcException rejection)
    {
        var call = new RejectedCall<TRequest, TResponse>(rejection);
        return new(call, HeadersOf, StatusOf, TrailersOf, DisposeOf, call);
    }

    public static AsyncClientStreamingCall<TRequest, TResponse> ClientStreaming(RpcException rejection)
    {
        var call = new RejectedCall<TRequest, TResponse>(rejection);
        return new(call, Task.FromException<TResponse>(rejection), HeadersOf, StatusOf, TrailersOf, DisposeOf, call);
    }

    public static AsyncDuplexStreamingCall<TRequest, TResponse> Duplex(RpcException rejection)
    {
        var call = new RejectedCall<TRequest, TResponse>(rejection);
        return new(call, call, HeadersOf, StatusOf, TrailersOf, DisposeOf, call);
    }

    TResponse IAsyncStreamReader<TResponse>.Current => throw new InvalidOperationException("The call was rejected by its circuit breaker; it has no messages.");

    Task<bool> IAsyncStreamReader<TResponse>.MoveNext(CancellationToken cancellationToken) => Task.FromException<bool>(Rejection);

    WriteOptions? IAsyncStreamWriter<TRequest>.WriteOptions { get; set; }

    Task IAsyncStreamWriter<TRequest>.WriteAsync(TRequest message) => Task.FromException(Rejection);

    // Nothing was sent, so there is nothing to complete: as gRPC does for a call that already ended.
    Task IClientStreamWriter<TRequest>.CompleteAsync() => Task.CompletedTask;
}
