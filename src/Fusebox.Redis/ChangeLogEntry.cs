using System.Globalization;
using StackExchange.Redis;

namespace Fusebox.Redis;

/// <summary>
/// The layout of one change-log entry, and its validation at the boundary (like <see cref="ReplyParser"/> for replies):
/// <c>w &lt;replica&gt;</c>, then <c>n &lt;breaker&gt; e &lt;epoch&gt; g &lt;generation&gt;</c> for each breaker it names. Pure.
/// </summary>
internal static class ChangeLogEntry
{
    private const int MaxNameLength = 65_536; // far above any breaker name; a longer value is not a name this wrote
    private const int MaxEpochLength = 64;

    public static NameValueEntry[] Fields(string replica, IReadOnlyList<LoggedChange> changes)
    {
        var fields = new NameValueEntry[1 + (3 * changes.Count)];
        fields[0] = new NameValueEntry("w", replica);
        for (int i = 0; i < changes.Count; i++)
        {
            fields[1 + (3 * i)] = new NameValueEntry("n", changes[i].Name);
            fields[2 + (3 * i)] = new NameValueEntry("e", changes[i].Epoch);
            fields[3 + (3 * i)] = new NameValueEntry("g", changes[i].Generation);
        }

        return fields;
    }

    /// <summary>Adds the changes another replica's entry names to <paramref name="into"/>; an entry of this replica adds
    /// nothing (its own replies carried them). Returns what is wrong with a malformed entry (then nothing is added).</summary>
    public static string? Parse(StreamEntry entry, string self, List<LoggedChange> into)
    {
        var fields = entry.Values;
        if (fields is null || fields.Length == 0 || fields[0].Name != "w" || fields[0].Value.IsNullOrEmpty || (fields.Length - 1) % 3 != 0)
        {
            return $"malformed entry ({fields?.Length ?? 0} fields): expected 'w <replica>' then 'n <breaker> e <epoch> g <generation>' for each breaker";
        }

        if (string.Equals(fields[0].Value, self, StringComparison.Ordinal))
        {
            return null;
        }

        var found = new List<LoggedChange>((fields.Length - 1) / 3);
        for (int i = 1; i < fields.Length; i += 3)
        {
            string? name = fields[i].Value;
            string? epoch = fields[i + 1].Value;
            if (fields[i].Name != "n" || fields[i + 1].Name != "e" || fields[i + 2].Name != "g" ||
                name is not { Length: > 0 and <= MaxNameLength } || epoch is not { Length: <= MaxEpochLength } ||
                !long.TryParse(fields[i + 2].Value.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out long generation))
            {
                return $"malformed breaker at field {i}: expected n <breaker> (1 to {MaxNameLength} characters) e <epoch> (at most {MaxEpochLength}) g <generation> (a non-negative integer)";
            }

            found.Add(new LoggedChange(name, epoch, generation));
        }

        into.AddRange(found);
        return null;
    }
}
