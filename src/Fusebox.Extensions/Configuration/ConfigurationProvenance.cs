namespace Fusebox.Extensions;

/// <summary>
/// Where one <see cref="FuseboxOptions"/> instance came from: the configuration path of its section, the path of each
/// breaker entry (an entry with a <c>Name</c> is keyed by that name, not by its path), and every key or value that
/// could not be read. Options configured only in code have the section path <c>Fusebox</c> and no errors.
/// </summary>
internal sealed class ConfigurationProvenance
{
    private readonly List<(string EntryPath, string Message)> _errors = [];

    /// <summary>The section's full configuration path, e.g. <c>Fusebox</c> or <c>Resilience:Fusebox</c>.</summary>
    public string SectionPath { get; set; } = FuseboxOptions.SectionName;

    /// <summary>Breaker name → configuration path of its entry, matched ignoring case like configuration keys.</summary>
    public Dictionary<string, string> EntryPaths { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The messages of what could not be read, in configuration order.</summary>
    public IEnumerable<string> Errors => _errors.Select(e => e.Message);

    /// <summary>Records that something under the entry at <paramref name="entryPath"/> could not be read.</summary>
    /// <param name="entryPath">The path of the entry whose settings are now incomplete: the section, <c>Defaults</c> or a breaker entry.</param>
    /// <param name="message">The whole message, starting with the offending key's path.</param>
    public void Add(string entryPath, string message)
    {
        // AddFusebox(configuration) twice reads the same section twice into one instance: report each problem once.
        if (!_errors.Contains((entryPath, message)))
        {
            _errors.Add((entryPath, message));
        }
    }

    /// <summary>Whether some setting of the entry at <paramref name="entryPath"/> could not be read: then validating
    /// the entry would only report consequences of that (e.g. "required" for a threshold that did not parse).</summary>
    public bool IsIncomplete(string entryPath) => _errors.Exists(e => string.Equals(e.EntryPath, entryPath, StringComparison.OrdinalIgnoreCase));
}
