using Microsoft.Extensions.Configuration;

namespace Fusebox.Extensions;

/// <summary>
/// Reads the <c>Fusebox</c> configuration section into <see cref="FuseboxOptions"/>, refusing to guess. The
/// configuration binder is not used: it ignores unknown keys, reads <c>30</c> as 30 days, and (the reflection binder)
/// silently drops a dictionary entry with one unconvertible value, while the source-generated one throws on the first
/// bad value with neither the allowed forms nor the other errors, from inside the options monitor's reload callback.
/// Here every unknown key and every value that does not convert is recorded with its full path in the options'
/// <see cref="ConfigurationProvenance"/>, and <see cref="BreakerOptionsFactory.Validate"/> reports them all.
/// </summary>
internal static class FuseboxSectionReader
{
    /// <summary>The key inside a breaker entry that gives the breaker's name when it cannot be the entry's key
    /// (a name with <c>:</c>, the configuration path separator).</summary>
    public const string NameKey = "Name";

    private static readonly string[] s_sectionKeys =
        [nameof(FuseboxOptions.Defaults), nameof(FuseboxOptions.Breakers), nameof(FuseboxOptions.MaxBreakers), nameof(FuseboxOptions.EvictAfterIdle)];

    private static readonly string[] s_namedEntryKeys = [NameKey, .. BreakerConfigurationKeys.Keys];

    /// <summary>Reads <paramref name="section"/> into <paramref name="options"/>.</summary>
    /// <param name="section">The Fusebox section.</param>
    /// <param name="options">The options being configured.</param>
    /// <param name="parent">The configuration the section was looked up in, when the application passed that rather
    /// than the section: if the section is missing there, a sibling spelled almost like it (<c>Fusbox</c>) is reported,
    /// since otherwise the whole configuration would be silently ignored.</param>
    public static void Read(IConfigurationSection section, FuseboxOptions options, IConfiguration? parent)
    {
        var provenance = options.Provenance;
        provenance.SectionPath = section.Path;
        if (parent is not null && !section.Exists()
            && parent.GetChildren().Select(c => c.Key).FirstOrDefault(k => ClosestKey.Find(k, [section.Key]) is not null) is { } misspelled)
        {
            string path = parent is IConfigurationSection p ? $"{p.Path}:{misspelled}" : misspelled;
            provenance.Add(section.Path, $"{path}: no section '{section.Key}' was found, and this one looks like it is meant to be it; Fusebox reads only '{section.Path}'.");
        }

        foreach (var child in section.GetChildren())
        {
            var value = new ConfigurationValue(child, section.Path, provenance);
            switch (s_sectionKeys.FirstOrDefault(k => string.Equals(k, child.Key, StringComparison.OrdinalIgnoreCase)))
            {
                case nameof(FuseboxOptions.Defaults):
                    if (IsSection(child, "breaker settings", child.Path, provenance))
                    {
                        ReadEntry(child, options.Defaults, named: false, provenance);
                    }

                    break;
                case nameof(FuseboxOptions.Breakers):
                    ReadBreakers(child, options);
                    break;
                case nameof(FuseboxOptions.MaxBreakers):
                    options.MaxBreakers = value.Int32() ?? options.MaxBreakers;
                    break;
                case nameof(FuseboxOptions.EvictAfterIdle):
                    options.EvictAfterIdle = value.Duration() ?? options.EvictAfterIdle;
                    break;
                default:
                    provenance.Add(section.Path, $"{child.Path}: {UnknownKey(child.Key, s_sectionKeys)}.");
                    break;
            }
        }
    }

    private static void ReadBreakers(IConfigurationSection breakers, FuseboxOptions options)
    {
        var provenance = options.Provenance;
        if (!IsSection(breakers, "breaker entries", breakers.Path, provenance))
        {
            return;
        }

        // Entries without a Name first: their keys are unique (configuration keys are), so a clash between two
        // entries for one breaker is always reported at the Name that causes it.
        var entries = breakers.GetChildren()
            .Select(entry => (Entry: entry, Name: new ConfigurationValue(entry.GetSection(NameKey), entry.Path, provenance).String()))
            .OrderBy(e => e.Name is not null)
            .ToList();
        foreach (var (entry, explicitName) in entries)
        {
            if (!IsSection(entry, "breaker settings", entry.Path, provenance))
            {
                continue;
            }

            string name = explicitName ?? entry.Key;
            if (provenance.EntryPaths.TryGetValue(name, out string? other) && !string.Equals(other, entry.Path, StringComparison.OrdinalIgnoreCase))
            {
                provenance.Add(entry.Path, $"{entry.Path}:{NameKey}: '{name}' is already configured by {other}; a breaker takes its settings from one entry.");
                continue;
            }

            provenance.EntryPaths[name] = entry.Path;
            if (!options.Breakers.TryGetValue(name, out var configuration))
            {
                options.Breakers[name] = configuration = new BreakerConfiguration();
            }

            ReadEntry(entry, configuration, named: true, provenance);
        }
    }

    private static void ReadEntry(IConfigurationSection entry, BreakerConfiguration configuration, bool named, ConfigurationProvenance provenance)
    {
        foreach (var child in entry.GetChildren())
        {
            if (named && string.Equals(child.Key, NameKey, StringComparison.OrdinalIgnoreCase))
            {
                continue; // read by ReadBreakers: it decides which breaker the entry configures
            }

            if (!BreakerConfigurationKeys.TryRead(child.Key, configuration, new ConfigurationValue(child, entry.Path, provenance)))
            {
                // JSON "redis:6379": { ... } arrives as the entry "redis" with a section "6379": say why, and the way out.
                string message = named && child.GetChildren().Any()
                    ? $"unknown key; a breaker name with ':' cannot be a configuration key: give the entry another key and the name in \"{NameKey}\", e.g. \"{entry.Key}\": {{ \"{NameKey}\": \"{entry.Key}:{child.Key}\" }}"
                    : UnknownKey(child.Key, named ? s_namedEntryKeys : BreakerConfigurationKeys.Keys);
                provenance.Add(entry.Path, $"{child.Path}: {message}.");
            }
        }
    }

    private static bool IsSection(IConfigurationSection section, string holding, string entryPath, ConfigurationProvenance provenance)
    {
        if (section.Value is { Length: > 0 } value && !section.GetChildren().Any())
        {
            provenance.Add(entryPath, $"{section.Path}: expected a section (a JSON object) of {holding}, found the value '{value}'.");
            return false;
        }

        return true;
    }

    private static string UnknownKey(string key, IEnumerable<string> allowed) =>
        ClosestKey.Find(key, allowed) is { } meant
            ? $"unknown key (did you mean {meant}?); allowed: {string.Join(", ", allowed)}"
            : $"unknown key; allowed: {string.Join(", ", allowed)}";
}
