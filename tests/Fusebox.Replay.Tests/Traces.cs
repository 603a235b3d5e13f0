using System.Globalization;
using System.Text;

namespace Fusebox.Replay.Tests;

/// <summary>Hand-made traces: CSV text built from (seconds, outcome, milliseconds) rows.</summary>
internal static class Traces
{
    public static OutcomeTrace Csv(params (double At, string Outcome, double Ms)[] rows) =>
        TraceReader.ReadCsv(new StringReader(Text(rows)), "test.csv");

    public static string Text(IEnumerable<(double At, string Outcome, double Ms)> rows)
    {
        var text = new StringBuilder(TraceReader.CsvHeader).Append('\n');
        foreach (var (at, outcome, ms) in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"{at},{outcome},{ms}\n");
        }

        return text.ToString();
    }

    /// <summary>One call every <paramref name="step"/> seconds from <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive).</summary>
    public static IEnumerable<(double, string, double)> Every(double step, double from, double to, string outcome, double ms = 0)
    {
        for (int i = 0; from + (i * step) < to - 1e-9; i++)
        {
            yield return (Math.Round(from + (i * step), 6), outcome, ms);
        }
    }

    public static ConfigurationResult ReplayOne(OutcomeTrace trace, string policy) =>
        WhatIfReplay.Run(trace, [PolicyParser.Parse(policy)]).Results.Single();
}
