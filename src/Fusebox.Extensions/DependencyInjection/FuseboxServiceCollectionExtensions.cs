using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fusebox.Extensions;

/// <summary>Registers Fusebox in an <see cref="IServiceCollection"/>.</summary>
public static class FuseboxServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="CircuitBreakerRegistry"/> wired to the container's <see cref="TimeProvider"/>,
    /// <see cref="IMeterFactory"/> and <see cref="ILoggerFactory"/>, with breaker options bound from the
    /// <c>Fusebox</c> section of <paramref name="configuration"/>, validated on start and reloaded on change.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The application configuration (the <c>Fusebox</c> section is read), or the section itself.</param>
    public static FuseboxBuilder AddFusebox(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration is IConfigurationSection { Key: FuseboxOptions.SectionName } s ? s : configuration.GetSection(FuseboxOptions.SectionName);
        var builder = services.AddFusebox();
        services.AddOptions<FuseboxOptions>().Bind(section);
        return builder;
    }

    /// <summary>Registers Fusebox with options configured in code (and any bound elsewhere).</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Adjusts the options; may be null.</param>
    public static FuseboxBuilder AddFusebox(this IServiceCollection services, Action<FuseboxOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<FuseboxOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (services.Any(d => d.ServiceType == typeof(FuseboxConfiguration)))
        {
            return new FuseboxBuilder(services);
        }

        options.ValidateOnStart();
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FuseboxOptions>, FuseboxOptionsValidator>());
        services.TryAddSingleton<FuseboxOptionsState>();
        services.TryAddSingleton(sp => new FuseboxConfiguration(
            sp.GetRequiredService<IOptionsMonitor<FuseboxOptions>>(), sp.GetService<ILogger<FuseboxConfiguration>>(), sp.GetRequiredService<FuseboxOptionsState>()));
        services.TryAddSingleton(CreateRegistry);
        return new FuseboxBuilder(services);
    }

    private static CircuitBreakerRegistry CreateRegistry(IServiceProvider sp)
    {
        var configuration = sp.GetRequiredService<FuseboxConfiguration>();
        var current = configuration.Current; // validates; throws OptionsValidationException naming the bad paths
        var registryOptions = BreakerOptionsFactory.ToRegistryOptions(current);
        registryOptions.DefaultOptions = BreakerOptionsFactory.Create(current, null);
        registryOptions.OptionsFor = configuration.OptionsFor;

        var registry = new CircuitBreakerRegistry(registryOptions, sp.GetService<TimeProvider>(), sp.GetService<IMeterFactory>());
        var logger = (sp.GetService<ILoggerFactory>() ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).CreateLogger("Fusebox");
        BreakerStateLogger.Attach(registry, logger);
        configuration.Reloaded += _ => ConfigurationReload.Apply(registry, configuration, logger);
        return registry;
    }
}
