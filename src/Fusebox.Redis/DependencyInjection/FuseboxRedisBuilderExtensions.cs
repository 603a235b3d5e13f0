using Fusebox.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Fusebox.Extensions;

/// <summary>Adds shared breaker state through Redis to <c>services.AddFusebox()</c>.</summary>
public static class FuseboxRedisBuilderExtensions
{
    /// <summary>
    /// Shares every breaker of the Fusebox registry with the other replicas through Redis, on a connection the
    /// coordinator opens in the background from <paramref name="connectionString"/> (start-up never waits for Redis).
    /// The coordinator starts with the registry and is a singleton (<see cref="RedisStateCoordinator"/>).
    /// </summary>
    /// <param name="builder">From <c>AddFusebox</c>.</param>
    /// <param name="connectionString">A StackExchange.Redis configuration string, e.g. <c>"redis:6379"</c>.</param>
    /// <param name="configure">Adjusts the options (set <see cref="RedisStateOptions.KeyPrefix"/> per service and environment).</param>
    /// <exception cref="InvalidOperationException">Shared state was already added.</exception>
    public static FuseboxBuilder AddRedisState(this FuseboxBuilder builder, string connectionString, Action<RedisStateOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return Add(builder, configure, (_, registry, options, logger) => new RedisStateCoordinator(registry, connectionString, options, logger));
    }

    /// <summary>Shares every breaker of the Fusebox registry through an existing connection (which the coordinator does
    /// not dispose). Prefer a connection made with <c>abortConnect=false</c>.</summary>
    /// <param name="builder">From <c>AddFusebox</c>.</param>
    /// <param name="connection">The connection.</param>
    /// <param name="configure">Adjusts the options.</param>
    /// <exception cref="InvalidOperationException">Shared state was already added.</exception>
    public static FuseboxBuilder AddRedisState(this FuseboxBuilder builder, IConnectionMultiplexer connection, Action<RedisStateOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return Add(builder, configure, (_, registry, options, logger) => new RedisStateCoordinator(registry, connection, options, logger));
    }

    /// <summary>Shares every breaker of the Fusebox registry through a connection taken from the container (e.g. one
    /// registered for caching), not disposed by the coordinator.</summary>
    /// <param name="builder">From <c>AddFusebox</c>.</param>
    /// <param name="connection">Resolves the connection.</param>
    /// <param name="configure">Adjusts the options.</param>
    /// <exception cref="InvalidOperationException">Shared state was already added.</exception>
    public static FuseboxBuilder AddRedisState(this FuseboxBuilder builder, Func<IServiceProvider, IConnectionMultiplexer> connection, Action<RedisStateOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return Add(builder, configure, (sp, registry, options, logger) => new RedisStateCoordinator(registry, connection(sp), options, logger));
    }

    private static FuseboxBuilder Add(FuseboxBuilder builder, Action<RedisStateOptions>? configure,
        Func<IServiceProvider, CircuitBreakerRegistry, RedisStateOptions, ILogger, RedisStateCoordinator> create)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(RedisStateHolder)))
        {
            throw new InvalidOperationException("AddRedisState was already called for this service collection.");
        }

        var registryDescriptor = services.LastOrDefault(d => d.ServiceType == typeof(CircuitBreakerRegistry) && !d.IsKeyedService)
            ?? throw new InvalidOperationException("Call AddFusebox() before AddRedisState().");

        var options = services.AddOptions<RedisStateOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddSingleton<IValidateOptions<RedisStateOptions>, RedisStateOptionsValidator>();
        services.AddSingleton<RedisStateHolder>();

        // The coordinator is created with the registry, so whoever uses breakers gets them shared, host or no host.
        services.Remove(registryDescriptor);
        services.AddSingleton(sp =>
        {
            var registry = (CircuitBreakerRegistry)Create(registryDescriptor, sp);
            var value = sp.GetRequiredService<IOptions<RedisStateOptions>>().Value;
            if (!Validates(value, out var error))
            {
                throw new OptionsValidationException(nameof(RedisStateOptions), typeof(RedisStateOptions), [error!]);
            }

            var logger = sp.GetService<ILoggerFactory>()?.CreateLogger("Fusebox.Redis") ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
            sp.GetRequiredService<RedisStateHolder>().Coordinator = create(sp, registry, value, logger);
            return registry;
        });
        services.AddSingleton(sp =>
        {
            sp.GetRequiredService<CircuitBreakerRegistry>();
            return sp.GetRequiredService<RedisStateHolder>().Coordinator!;
        });
        return builder;
    }

    private static bool Validates(RedisStateOptions options, out string? error)
    {
        try
        {
            options.Validate();
            error = null;
            return true;
        }
        catch (ArgumentException ex)
        {
            error = ex.Message;
            return false;
        }
    }

    private static object Create(ServiceDescriptor descriptor, IServiceProvider sp) =>
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(sp)
        ?? ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!);

    /// <summary>Reports the first out-of-range option by name.</summary>
    private sealed class RedisStateOptionsValidator : IValidateOptions<RedisStateOptions>
    {
        public ValidateOptionsResult Validate(string? name, RedisStateOptions options) =>
            Validates(options, out var error) ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(error!);
    }

    /// <summary>Owns the coordinator for the container, so it is disposed even if nobody resolved it.</summary>
    private sealed class RedisStateHolder : IAsyncDisposable
    {
        public RedisStateCoordinator? Coordinator { get; set; }

        public ValueTask DisposeAsync() => Coordinator?.DisposeAsync() ?? ValueTask.CompletedTask;
    }
}
