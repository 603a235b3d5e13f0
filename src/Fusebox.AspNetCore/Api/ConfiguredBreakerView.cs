using Fusebox.Extensions;

namespace Fusebox.AspNetCore;

/// <summary>
/// A breaker configured under <c>Fusebox:Breakers</c> that the registry has not created yet (nothing has called
/// it), with the options it will get: the dashboard shows it so that a breaker is visible before its first call.
/// </summary>
/// <param name="Name">The configured name.</param>
/// <param name="Critical">Whether it is marked <c>Critical</c> (the health check reports it).</param>
/// <param name="Options">The options it will be created with.</param>
public sealed record ConfiguredBreakerView(string Name, bool Critical, BreakerOptionsView Options)
{
    /// <summary>
    /// The configured entries no breaker of <paramref name="registry"/> uses yet, ordered by name. An entry is in use
    /// when a breaker has its name, ignoring case (configuration matches keys that way), or is named
    /// <c>{entry}/...</c> (the HTTP handler's per-authority breakers take the entry of their client).
    /// </summary>
    internal static ConfiguredBreakerView[] NotYetCalled(FuseboxConfiguration? configuration, CircuitBreakerRegistry registry)
    {
        if (configuration is null)
        {
            return []; // a registry registered without AddFusebox has no configured names to show
        }

        var names = registry.Breakers.Select(b => b.Name).ToArray();
        return configuration.Current.Breakers.Keys
            .Where(entry => !names.Any(name => Uses(name, entry)))
            .Order(StringComparer.Ordinal)
            .Select(entry => From(configuration, entry))
            .ToArray();
    }

    private static bool Uses(string name, string entry) =>
        name.StartsWith(entry, StringComparison.OrdinalIgnoreCase) && (name.Length == entry.Length || name[entry.Length] == '/');

    private static ConfiguredBreakerView From(FuseboxConfiguration configuration, string name)
    {
        var options = configuration.OptionsFor(name);
        string policy = options.TripPolicy.ToString() ?? options.TripPolicy.GetType().Name;
        return new(name, configuration.IsCritical(name), BreakerOptionsView.From(policy, options));
    }
}
