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
    /// <c>Fusebox</c> section of <paramref name="configuration"/>, validated on start and reloaded on change; and
    /// every breaker name as a service key: <c>[FromKeyedServices("fraud")] CircuitBreaker</c> or
    /// <c>ResilientCaller</c> resolves the registry's breaker of that name (see <see cref="FuseboxBuilder.ConfigureCaller"/>).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The application configuration (its <c>Fusebox</c> section is read), or the section
    /// itself (a section whose key is <c>Fusebox</c> in any case, e.g. <c>GetSection("fusebox")</c>).</param>
    /// <remarks>Every key under the section must be known and every value must convert: an unknown key or an
    /// unconvertible value fails validation like an out-of-range one (the host does not start; a reload is rejected).</remarks>
    public static FuseboxBuilder AddFusebox(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        bool isSection = configuration is IConfigurationSection s && string.Equals(s.Key, FuseboxOptions.SectionName, StringComparison.OrdinalIgnoreCase);
        var section = isSection ? (IConfigurationSection)configuration : configuration.GetSection(FuseboxOptions.SectionName);
        var parent = isSection ? null : configuration;
        var builder = services.AddFusebox();

        // What OptionsBuilder.Bind(section) registers, with FuseboxSectionReader in place of the binder (see there why).
        services.AddSingleton<IOptionsChangeTokenSource<FuseboxOptions>>(new ConfigurationChangeTokenSource<FuseboxOptions>(Options.DefaultName, section));
        services.AddSingleton<IConfigureOptions<FuseboxOptions>>(new ConfigureNamedOptions<FuseboxOptions>(Options.DefaultName, o => FuseboxSectionReader.Read(section, o, parent)));
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
        KeyedBreakerServices.Register(services);
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
