using Fusebox.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fusebox.Http;

/// <summary>Adds the Fusebox counterpart of <c>AddStandardResilienceHandler()</c> to clients made by <c>IHttpClientFactory</c>.</summary>
public static class FuseboxStandardHandlerExtensions
{
    /// <summary>The options and breaker-name prefix used for <c>ConfigureHttpClientDefaults</c> and the unnamed client.</summary>
    public const string DefaultName = "http";

    /// <summary>
    /// Runs every request of this client through the layers of the standard resilience handler, with its defaults:
    /// total timeout (30 s) → retry (3 retries, exponential from 2 s with jitter, <c>Retry-After</c>, a retry budget) →
    /// attempt timeout (10 s), with a Fusebox circuit breaker per downstream authority (failure rate 10 % over 30 s,
    /// at least 100 calls, break 5 s, unless <c>Fusebox:Breakers:{name}</c> says otherwise). Unlike the standard handler
    /// the breaker sits outside the retries, as in every Fusebox caller: it sees one outcome per request, a probe is
    /// sent once, and the retries stop as soon as the breaker opens. Works from
    /// <c>services.ConfigureHttpClientDefaults(b =&gt; b.AddFuseboxStandardHandler())</c>, still with one breaker per
    /// authority (<c>http/{scheme}://{host}:{port}</c>), not one for every client.
    /// </summary>
    /// <param name="builder">The client builder, or the defaults builder of <c>ConfigureHttpClientDefaults</c>.</param>
    /// <param name="configure">Adjusts the options (named after the client, see <see cref="FuseboxStandardHandlerOptions"/>).</param>
    /// <remarks>Options are validated on start (<c>ValidateOnStart</c>), cross-checks included: total timeout ≥ attempt
    /// timeout, and the breaker's time window ≥ 2 × attempt timeout.</remarks>
    public static IHttpClientBuilder AddFuseboxStandardHandler(this IHttpClientBuilder builder, Action<FuseboxStandardHandlerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        string name = NameOf(builder.Name);
        var services = builder.Services;
        services.AddFusebox();
        var options = services.AddOptions<FuseboxStandardHandlerOptions>(name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        // After every Configure, so a budget set by the application is kept; one per name, shared by rotated handlers.
        options.PostConfigure<TimeProvider>(static (o, clock) =>
        {
            if (o.Retry is { Budget: null } retry)
            {
                retry.Budget = new RetryBudget(timeProvider: clock);
            }
        });
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FuseboxStandardHandlerOptions>, StandardHandlerOptionsValidator>());
        services.PostConfigure<FuseboxOptions>(o => StandardBreakerDefaults.Apply(o, name));

        return builder.AddHttpMessageHandler(sp => new FuseboxHttpHandler(
            sp.GetRequiredService<CircuitBreakerRegistry>(),
            sp.GetRequiredService<IOptionsMonitor<FuseboxStandardHandlerOptions>>().Get(name).ToHandlerOptions(name),
            sp.GetService<ILoggerFactory>()?.CreateLogger("Fusebox.Http")));
    }

    internal static string NameOf(string? clientName) => string.IsNullOrEmpty(clientName) ? DefaultName : clientName;
}
