using System.Text.Json;

namespace Fusebox.Replay;

/// <summary>
/// Reads an outcome trace: CSV with the header <c>timestamp,outcome,duration_ms</c>, or JSON lines with the same three
/// fields (<c>{"timestamp":12.5,"outcome":"failure","duration_ms":100}</c>; other fields are ignored). Every line is
/// validated; the first bad one throws a <see cref="TraceFormatException"/> naming the file, line and field.
/// </summary>
public static class TraceReader
{
    /// <summary>The CSV header line, exactly.</summary>
    public const string CsvHeader = "timestamp,outcome,duration_ms";

    /// <summary>Reads a file: JSON lines when its name ends in <c>.jsonl</c> or <c>.ndjson</c>, or its first character is
    /// <c>{</c>; CSV otherwise.</summary>
    /// <exception cref="TraceFormatException">A line is invalid.</exception>
    public static OutcomeTrace ReadFile(string path)
    {
        string text = File.ReadAllText(path);
        string name = Path.GetFileName(path);
        bool json = path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase)
                    || text.TrimStart().StartsWith('{');
        return json ? ReadJsonLines(new StringReader(text), name) : ReadCsv(new StringReader(text), name);
    }

    /// <summary>Reads CSV: the header, then one <c>timestamp,outcome,duration_ms</c> record per line.</summary>
    /// <param name="reader">The text.</param>
    /// <param name="source">The name used in messages.</param>
    /// <exception cref="TraceFormatException">The header or a line is invalid.</exception>
    public static OutcomeTrace ReadCsv(TextReader reader, string source)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var fields = new TraceFields(source);
        string? header = reader.ReadLine();
        if (header?.Trim() != CsvHeader)
        {
            throw fields.Error(1, null, $"the first line must be the header '{CsvHeader}' (was '{header}').");
        }

        var records = new List<TraceRecord>();
        int line = 1;
        for (string? text = reader.ReadLine(); text is not null; text = reader.ReadLine())
        {
            line++;
            string[] parts = text.Split(',');
            if (parts.Length != 3)
            {
                throw fields.Error(line, null, $"expected 3 comma-separated fields ({CsvHeader}), found {parts.Length}: '{text}'.");
            }

            records.Add(fields.Record(line, parts[0].Trim(), timestampIsNumber: false, parts[1].Trim(), parts[2].Trim()));
        }

        return new OutcomeTrace(records, fields.Origin, source);
    }

    /// <summary>Reads JSON lines: one object per line with <c>timestamp</c> (number or string), <c>outcome</c> and
    /// <c>duration_ms</c> (number).</summary>
    /// <param name="reader">The text.</param>
    /// <param name="source">The name used in messages.</param>
    /// <exception cref="TraceFormatException">A line is invalid.</exception>
    public static OutcomeTrace ReadJsonLines(TextReader reader, string source)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var fields = new TraceFields(source);
        var records = new List<TraceRecord>();
        int line = 0;
        for (string? text = reader.ReadLine(); text is not null; text = reader.ReadLine())
        {
            line++;
            JsonElement root;
            try
            {
                using var document = JsonDocument.Parse(text);
                root = document.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                throw fields.Error(line, null, $"not a JSON object ({ex.Message}).");
            }

            if (root.ValueKind != JsonValueKind.Object)
            {
                throw fields.Error(line, null, $"expected a JSON object with {TraceFields.Timestamp}, {TraceFields.Outcome} and {TraceFields.DurationMs}.");
            }

            var timestamp = Field(fields, root, line, TraceFields.Timestamp, JsonValueKind.Number, JsonValueKind.String);
            var outcome = Field(fields, root, line, TraceFields.Outcome, JsonValueKind.String);
            var duration = Field(fields, root, line, TraceFields.DurationMs, JsonValueKind.Number);
            records.Add(fields.Record(line, Text(timestamp), timestamp.ValueKind == JsonValueKind.Number, outcome.GetString()!, duration.GetRawText()));
        }

        return new OutcomeTrace(records, fields.Origin, source);
    }

    private static string Text(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();

    private static JsonElement Field(TraceFields fields, JsonElement root, int line, string name, params JsonValueKind[] kinds)
    {
        if (!root.TryGetProperty(name, out var value))
        {
            throw fields.Error(line, name, "missing; every line needs timestamp, outcome and duration_ms.");
        }

        return kinds.Contains(value.ValueKind)
            ? value
            : throw fields.Error(line, name, $"must be a JSON {string.Join(" or ", kinds.Select(k => k.ToString().ToLowerInvariant()))} (was {value.ValueKind.ToString().ToLowerInvariant()}).");
    }
}
