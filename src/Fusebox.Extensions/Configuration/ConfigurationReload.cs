using Microsoft.Extensions.Logging;

namespace Fusebox.Extensions;

/// <summary>Applies a reloaded configuration to the breakers that already exist.</summary>
internal static class ConfigurationReload
{
    public static void Apply(CircuitBreakerRegistry registry, FuseboxConfiguration configuration, ILogger logger)
    {
        foreach (var breaker in registry.Breakers)
        {
            try
            {
                breaker.Reconfigure(configuration.OptionsFor(breaker.Name));
            }
            catch (ArgumentException ex)
            {
                FuseboxLog.ReloadRejected(logger, ex.Message);
            }
        }
    }
}
