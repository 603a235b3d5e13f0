using Fusebox.Extensions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Fusebox.Replay;

/// <summary>
/// <c>--config appsettings.json --section Fusebox:Breakers</c>: the breakers an application configures under
/// <c>Fusebox:Breakers</c>, read by Fusebox.Extensions itself (<c>AddFusebox(configuration)</c> and
/// <see cref="FuseboxConfiguration.OptionsFor"/>), so each replayed breaker has exactly the options the application's
/// would, <c>Defaults</c> layered in, and a bad value fails with the configuration path Fusebox.Extensions names.
/// </summary>
public static class ConfiguredBreakers
{
    /// <summary>One configuration per key under the breakers section, named by the key.</summary>
    /// <param name="jsonPath">A JSON configuration file (appsettings.json).</param>
    /// <param name="section">The breakers section, e.g. <c>Fusebox:Breakers</c>; its parent is the Fusebox section.</param>
    /// <exception cref="ArgumentException">The section is not <c>…Fusebox:Breakers</c>, or it names no breaker.</exception>
    public static IReadOnlyList<ReplayConfiguration> Read(string jsonPath, string section = "Fusebox:Breakers")
    {
        ArgumentNullException.ThrowIfNull(jsonPath);
        ArgumentNullException.ThrowIfNull(section);
        const string suffix = ":" + nameof(FuseboxOptions.Breakers);
        if (!section.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
            || !section[..^suffix.Length].Split(':')[^1].Equals(FuseboxOptions.SectionName, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"--section must name the Breakers of a Fusebox section, e.g. Fusebox:Breakers or MyApp:Fusebox:Breakers (was '{section}').", nameof(section));
        }

        var configuration = new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(jsonPath), optional: false, reloadOnChange: false).Build();
        var fusebox = configuration.GetSection(section[..^suffix.Length]);
        string[] names = [.. fusebox.GetSection(nameof(FuseboxOptions.Breakers)).GetChildren().Select(c => c.Key)];
        if (names.Length == 0)
        {
            throw new ArgumentException($"{jsonPath}: no breakers under '{section}'.", nameof(section));
        }

        var services = new ServiceCollection();
        services.AddFusebox(fusebox);
        using var provider = services.BuildServiceProvider();
        var bound = provider.GetRequiredService<FuseboxConfiguration>();
        return [.. names.Select(name => new ReplayConfiguration(name, bound.OptionsFor(name)))];
    }
}
