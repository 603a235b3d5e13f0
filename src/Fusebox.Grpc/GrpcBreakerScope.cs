namespace Fusebox.Grpc;

/// <summary>Which calls share a breaker in <see cref="FuseboxGrpcInterceptor"/>.</summary>
public enum GrpcBreakerScope
{
    /// <summary>One breaker per gRPC service (default), named <c>{BreakerName}/{package.Service}</c>: every method of a
    /// service lives in the same process, so an outage of one usually is an outage of all.</summary>
    PerService,

    /// <summary>One breaker per method, named <c>{BreakerName}/{package.Service}/{Method}</c>: for services whose methods
    /// fail independently (one slow report method must not block the cheap lookups beside it).</summary>
    PerMethod,
}
