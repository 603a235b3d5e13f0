using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Fusebox.Extensions;

/// <summary>
/// <c>[FromKeyedServices("fraud")] CircuitBreaker</c> and <c>[FromKeyedServices("fraud")] ResilientCaller</c>: any
/// breaker name as a service key. Registered for <see cref="KeyedService.AnyKey"/>, so every name works without
/// being declared (a registration of a specific key still wins over these).
/// </summary>
/// <remarks>
/// Both are transient and resolved from the <see cref="CircuitBreakerRegistry"/> at each resolution: the breaker is
/// the very instance the registry, the admin API and the health check see, with the options configuration gives its
/// name, and a configuration reload reconfigures it in place as it does every registry breaker. Transient rather than
/// singleton because the registry decides a name's instance (an evicted idle breaker is replaced by a new one on the
/// next lookup); a container cache of its own would keep handing out the evicted one. The caller wraps the breaker
/// with the name's <see cref="ResilientCallerOptions"/> (<see cref="FuseboxBuilder.ConfigureCaller"/>; the defaults
/// otherwise), which the options system builds once per name, so every caller of a name shares its retry budget.
/// </remarks>
internal static class KeyedBreakerServices
{
    public static void Register(IServiceCollection services)
    {
        services.TryAddKeyedTransient<CircuitBreaker>(KeyedService.AnyKey,
            static (sp, key) => sp.GetRequiredService<CircuitBreakerRegistry>().GetOrAdd(BreakerName(key)));
        services.TryAddKeyedTransient<ResilientCaller>(KeyedService.AnyKey, static (sp, key) =>
        {
            string name = BreakerName(key);
            var options = sp.GetRequiredService<IOptionsMonitor<ResilientCallerOptions>>().Get(name);
            return new ResilientCaller(sp.GetRequiredService<CircuitBreakerRegistry>().GetOrAdd(name), options);
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ResilientCallerOptions>, ResilientCallerOptionsValidator>());
    }

    private static string BreakerName(object? key) => key is string name && !string.IsNullOrWhiteSpace(name)
        ? name
        : throw new InvalidOperationException(
            $"Fusebox resolves a keyed CircuitBreaker or ResilientCaller by breaker name: the service key must be a non-empty string (was {(key is null ? "null" : $"'{key}' of type {key.GetType().Name}")}).");

    /// <summary>Validates a name's caller options when they are first built (at start for names configured with
    /// <see cref="FuseboxBuilder.ConfigureCaller"/>), with the option and its range in the message.</summary>
    private sealed class ResilientCallerOptionsValidator : IValidateOptions<ResilientCallerOptions>
    {
        public ValidateOptionsResult Validate(string? name, ResilientCallerOptions options)
        {
            try
            {
                options.Validate();
                return ValidateOptionsResult.Success;
            }
            catch (ArgumentException ex)
            {
                return ValidateOptionsResult.Fail($"Resilient caller '{name}': {ex.Message}");
            }
        }
    }
}
