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
}
