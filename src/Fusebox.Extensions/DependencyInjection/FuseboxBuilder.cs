using Microsoft.Extensions.DependencyInjection;

namespace Fusebox.Extensions;

/// <summary>Returned by <see cref="FuseboxServiceCollectionExtensions.AddFusebox(IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration)"/>
/// so that Fusebox packages can add to the set-up (e.g. <c>AddRedisState</c>).</summary>
public sealed class FuseboxBuilder
{
    internal FuseboxBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Adjusts every breaker's options in code after configuration is applied (e.g. to set
    /// <see cref="CircuitBreakerOptions.ShouldHandleException"/>, which cannot come from JSON).</summary>
    /// <param name="customize">Receives the breaker name (empty for the defaults) and its options.</param>
    public FuseboxBuilder ConfigureBreakers(Action<string, CircuitBreakerOptions> customize)
    {
        ArgumentNullException.ThrowIfNull(customize);
        Services.Configure<FuseboxOptions>(o => o.Customizations.Add(customize));
        return this;
    }

    /// <summary>Sets the options of the <see cref="ResilientCaller"/> that <c>[FromKeyedServices(name)] ResilientCaller</c>
    /// resolves (retries, timeouts, result classification); a name not configured here gets the defaults. Validated
    /// when the host starts.</summary>
    /// <param name="name">The breaker name, which is also the service key.</param>
    /// <param name="configure">Adjusts the caller's options.</param>
    public FuseboxBuilder ConfigureCaller(string name, Action<ResilientCallerOptions> configure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        Services.AddOptions<ResilientCallerOptions>(name).Configure(configure).ValidateOnStart();
        return this;
    }
}
