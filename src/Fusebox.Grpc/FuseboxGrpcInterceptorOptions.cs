using Grpc.Core;

namespace Fusebox.Grpc;

/// <summary>Options of <see cref="FuseboxGrpcInterceptor"/>. Read once, when the interceptor is created: changing
/// them (or the <see cref="FailureStatusCodes"/> set) afterwards has no effect on it.</summary>
public sealed class FuseboxGrpcInterceptorOptions
{
    /// <summary>The name breakers are configured under (<c>Fusebox:Breakers:{BreakerName}</c> with Fusebox.Extensions)
    /// and the prefix of their names. Default: <c>grpc</c>, or the client's name with
    /// <c>AddGrpcClient&lt;T&gt;().AddFuseboxInterceptor()</c>. Must not be empty or contain <c>/</c>.</summary>
    public string? BreakerName { get; set; }

    /// <summary>One breaker per service (default) or per method.</summary>
    public GrpcBreakerScope Scope { get; set; } = GrpcBreakerScope.PerService;

    /// <summary>The status codes that count as failures of the dependency. Default: <see cref="StatusCode.Unavailable"/>,
    /// <see cref="StatusCode.DeadlineExceeded"/>, <see cref="StatusCode.ResourceExhausted"/>, <see cref="StatusCode.Internal"/>
    /// and <see cref="StatusCode.Unknown"/>. Any other status means the service answered (success), except
    /// <see cref="StatusCode.Cancelled"/>, which is ignored unless listed here; a cancellation by the caller's own token
    /// is ignored even then. Must not contain <see cref="StatusCode.OK"/>. Ignored when <see cref="ShouldHandle"/> is set.</summary>
    public ISet<StatusCode> FailureStatusCodes { get; set; } = new HashSet<StatusCode>(DefaultFailureStatusCodes);

    /// <summary>Decides instead of <see cref="FailureStatusCodes"/> whether a call that ended with this exception is a
    /// failure (its status and trailers are on it); null (default) to use the set. A cancellation by the caller's own
    /// token is ignored before this is asked; a <see cref="StatusCode.Cancelled"/> it does not call a failure is ignored too.</summary>
    public Func<RpcException, bool>? ShouldHandle { get; set; }

    /// <summary>The default <see cref="FailureStatusCodes"/>.</summary>
    public static IReadOnlySet<StatusCode> DefaultFailureStatusCodes { get; } = new HashSet<StatusCode>
    {
        StatusCode.Unavailable, StatusCode.DeadlineExceeded, StatusCode.ResourceExhausted, StatusCode.Internal, StatusCode.Unknown,
    };

    internal void Validate()
    {
        if (BreakerName is not null && (BreakerName.Length == 0 || BreakerName.Contains('/', StringComparison.Ordinal)))
        {
            throw new ArgumentException(
                $"FuseboxGrpcInterceptorOptions.BreakerName must be non-empty and contain no '/' when set (was '{BreakerName}').", nameof(BreakerName));
        }

        if (!Enum.IsDefined(Scope))
        {
            throw new ArgumentOutOfRangeException(nameof(Scope), Scope, "FuseboxGrpcInterceptorOptions.Scope must be PerService or PerMethod.");
        }

        if (FailureStatusCodes is null)
        {
            throw new ArgumentNullException(nameof(FailureStatusCodes), "FuseboxGrpcInterceptorOptions.FailureStatusCodes must not be null (use an empty set to count no status as a failure).");
        }

        foreach (var code in FailureStatusCodes)
        {
            if (code == StatusCode.OK || !Enum.IsDefined(code))
            {
                throw new ArgumentOutOfRangeException(nameof(FailureStatusCodes), code,
                    $"FuseboxGrpcInterceptorOptions.FailureStatusCodes may hold only gRPC error codes, Cancelled (1) to Unauthenticated (16); it holds {code}.");
            }
        }
    }
}
