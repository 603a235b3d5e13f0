using System.Globalization;

namespace Fusebox.Replay;

/// <summary>The command's table: one row per configuration, columns padded to their widest cell.</summary>
public static class ReplayTable
{
    private static readonly string[] s_header =
        ["configuration", "opened", "first open at", "time open", "rejected", "failures let through", "successes rejected", "unknown admitted", "state changes"];

    /// <summary>Writes the table of <paramref name="report"/>.</summary>
    public static void Write(ReplayReport report, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        var rows = new List<string[]> { s_header };
        rows.AddRange(report.Results.Select(r => new[]
        {
            r.Name,
            Count(r.TimesOpened),
            r.FirstOpenAt is { } first ? Seconds(first) : "never",
            Seconds(r.TimeOpen),
            Count(r.Rejected),
            Count(r.FailuresLetThrough),
            Count(r.SuccessesRejected),
            Count(r.UnknownAdmitted),
            Count(r.StateChanges),
        }));
        int[] widths = [.. Enumerable.Range(0, s_header.Length).Select(c => rows.Max(row => row[c].Length))];
        foreach (var row in rows)
        {
            // The name column is left-aligned, the figures right-aligned.
            output.WriteLine(string.Join("  ", row.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
        }
    }

    /// <summary>Writes each configuration's open spans: start, end (of the break) and the reason it opened.</summary>
    public static void WriteOpenIntervals(ReplayReport report, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        foreach (var result in report.Results)
        {
            var spans = result.OpenIntervals.Select(i => $"{i.Start.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture)}–{Seconds(i.End)} ({i.Reason})").ToList();
            output.WriteLine($"{result.Name} open: {(spans.Count == 0 ? "never" : string.Join(", ", spans))}");
        }
    }

    /// <summary>A time offset as the table and the plot print it: seconds with 3 decimals and an <c>s</c>.</summary>
    public static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture) + " s";

    private static string Count(int n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
