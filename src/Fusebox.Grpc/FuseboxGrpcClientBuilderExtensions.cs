using Grpc.Net.ClientFactory;
using Microsoft.Extensions.DependencyInjection;

namespace Fusebox.Grpc;

/// <summary>Adds Fusebox to gRPC clients made by the gRPC client factory (<c>AddGrpcClient&lt;T&gt;()</c>).</summary>
public static class FuseboxGrpcClientBuilderExtensions
{
    /// <summary>
    /// Runs every call of this gRPC client through a Fusebox circuit breaker per service (or per method), from the
    /// application's <see cref="CircuitBreakerRegistry"/>: register one first with <c>services.AddFusebox()</c>
    /// (Fusebox.Extensions, which also reads breaker settings from <c>Fusebox:Breakers:{BreakerName}</c>) or
    /// <c>services.AddSingleton(new CircuitBreakerRegistry(...))</c>. Breaker names start with the client's name
    /// unless <see cref="FuseboxGrpcInterceptorOptions.BreakerName"/> says otherwise.
    /// </summary>
    /// <param name="builder">The gRPC client's builder.</param>
    /// <param name="configure">Adjusts the options; validated now, so a bad option fails at start-up.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public static IHttpClientBuilder AddFuseboxInterceptor(this IHttpClientBuilder builder, Action<FuseboxGrpcInterceptorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        CreateOptions(builder.Name, configure).Validate();
        // Channel scope: one interceptor per channel, not per client instance; it keeps no per-call state.
        return builder.AddInterceptor(InterceptorScope.Channel, sp => new FuseboxGrpcInterceptor(
            sp.GetService<CircuitBreakerRegistry>() ?? throw new InvalidOperationException(
                $"The gRPC client '{builder.Name}' uses AddFuseboxInterceptor, but no CircuitBreakerRegistry is registered: call "
                + "services.AddFusebox() (package Fusebox.Extensions) or services.AddSingleton(new CircuitBreakerRegistry(...))."),
            CreateOptions(builder.Name, configure)));
    }

    private static FuseboxGrpcInterceptorOptions CreateOptions(string clientName, Action<FuseboxGrpcInterceptorOptions>? configure)
    {
        // A client name with '/' (not one AddGrpcClient<T> makes) cannot be a prefix: fall back to the default.
        var options = new FuseboxGrpcInterceptorOptions
        {
            BreakerName = string.IsNullOrEmpty(clientName) || clientName.Contains('/', StringComparison.Ordinal) ? null : clientName,
        };
        configure?.Invoke(options);
        return options;
    }
}
