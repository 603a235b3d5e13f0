using Fusebox.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fusebox.Http;

/// <summary>Adds Fusebox to clients made by <c>IHttpClientFactory</c>.</summary>
public static class FuseboxHttpClientBuilderExtensions
{
    /// <summary>
    /// Runs every request of this client through a Fusebox circuit breaker, one per downstream authority by default.
    /// Breakers live in the application's <see cref="CircuitBreakerRegistry"/> (registered if missing) and take their
    /// settings from <c>Fusebox:Breakers:{client name}</c>, so they survive handler rotation and appear in reports.
    /// </summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="configure">Adjusts the handler options; validated now.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public static IHttpClientBuilder AddFuseboxHandler(this IHttpClientBuilder builder, Action<FuseboxHttpHandlerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        CreateOptions(builder.Name, configure); // fail at start-up, not on the first request
        builder.Services.AddFusebox();
        return builder.AddHttpMessageHandler(sp => new FuseboxHttpHandler(
            sp.GetRequiredService<CircuitBreakerRegistry>(),
            CreateOptions(builder.Name, configure),
            sp.GetService<ILoggerFactory>()?.CreateLogger("Fusebox.Http")));
    }

    private static FuseboxHttpHandlerOptions CreateOptions(string clientName, Action<FuseboxHttpHandlerOptions>? configure)
    {
        var options = new FuseboxHttpHandlerOptions { BreakerName = string.IsNullOrEmpty(clientName) ? null : clientName };
        configure?.Invoke(options);
        options.Validate();
        return options;
    }
}
