using Grpc.Core;

namespace Fusebox.Grpc;

/// <summary>How a finished call counts for its breaker.</summary>
internal enum GrpcVerdict : byte
{
    Success,
    Failure,
    Ignored,
}

/// <summary>Turns the way a call ended into a verdict and reports it on the permit: the options' rules, fixed at
/// construction (the status set becomes a bit mask, so classifying allocates nothing and takes no lock).</summary>
internal sealed class GrpcOutcomeClassifier
{
    private readonly uint _failureMask;
    private readonly Func<RpcException, bool>? _shouldHandle;

    public GrpcOutcomeClassifier(FuseboxGrpcInterceptorOptions options)
    {
        foreach (var code in options.FailureStatusCodes)
        {
            _failureMask |= 1u << (int)code; // Validate() allowed 1..16 only
        }

        _shouldHandle = options.ShouldHandle;
    }

    /// <summary>The verdict on an exception the call (or a read of its response stream) ended with.</summary>
    /// <param name="exception">What was thrown.</param>
    /// <param name="callerCancelled">True when the caller's own token (the call's, or the read's) is cancelled.</param>
    public GrpcVerdict Classify(Exception exception, bool callerCancelled)
    {
        if (exception is not RpcException rpc)
        {
            // Not an outcome of the remote call: the caller's cancellation surfaced as an OperationCanceledException
            // (GrpcChannelOptions.ThrowOperationCanceledOnCancellation), or a local error such as a serializer bug.
            return GrpcVerdict.Ignored;
        }

        if (rpc.StatusCode == StatusCode.Cancelled && callerCancelled)
        {
            return GrpcVerdict.Ignored; // the caller gave up: says nothing about the service
        }

        bool failure = _shouldHandle is { } predicate ? predicate(rpc) : IsFailureCode(rpc.StatusCode);
        return failure ? GrpcVerdict.Failure : rpc.StatusCode == StatusCode.Cancelled ? GrpcVerdict.Ignored : GrpcVerdict.Success;
    }

    /// <summary>The verdict on a final status read from a finished call (OK is a success).</summary>
    public GrpcVerdict Classify(Status status, Metadata trailers, bool callerCancelled) =>
        status.StatusCode == StatusCode.OK ? GrpcVerdict.Success : Classify(new RpcException(status, trailers), callerCancelled);

    private bool IsFailureCode(StatusCode code) => (uint)code < 32 && (_failureMask & (1u << (int)code)) != 0;

    /// <summary>Reports <paramref name="verdict"/> on <paramref name="permit"/>.</summary>
    public static void Report(in CircuitPermit permit, GrpcVerdict verdict, Exception? exception = null)
    {
        switch (verdict)
        {
            case GrpcVerdict.Success:
                permit.RecordSuccess();
                break;
            case GrpcVerdict.Failure when exception is RpcException { StatusCode: StatusCode.ResourceExhausted or StatusCode.Unavailable }:
                permit.RecordOverload(exception); // the service refused the call: "not accepted" for adaptive throttling
                break;
            case GrpcVerdict.Failure:
                // A deadline is a timeout to the breaker's statistics and duration histogram, as the HTTP handler's own
                // timeout is; the wrapper is made only for that failure and keeps the RpcException as its cause.
                permit.RecordFailure(exception is RpcException { StatusCode: StatusCode.DeadlineExceeded } deadline
                    ? new TimeoutException($"gRPC deadline exceeded: {deadline.Status.Detail}", deadline)
                    : exception);
                break;
            default:
                permit.Release();
                break;
        }
    }
}
