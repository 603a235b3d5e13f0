using System.Text.RegularExpressions;
using Checkout.Reporting;
using Checkout.Scenario;

namespace Checkout.Tests;

/// <summary>The printed tables, from made-up reports with figures large enough to overflow a fixed column.</summary>
public partial class ReportPrinterTests
{
    private static RunSummary Run(string name, int scale) => new(name, 123_456 * scale, 100_000 * scale, 20_000 * scale, 3_456 * scale, 0,
        new Latency(3.5, 104.25, 5_012.5, 1000), new Latency(100.125, 5_001.5, 5_012.5, 400), 1_234, 98_765 * scale,
        [new TimelineEntry(8.01, "open", "5 consecutive failures")]);

    private static ReplicaSummary Replica(string name, double share, int scale) =>
        new(name, share, Run(name, scale), 0.25 * scale, 12_345 * scale, 7);

    [Fact]
    public void The_checkout_table_has_thousands_separators_two_decimals_per_latency_and_a_legend()
    {
        var output = new StringWriter();

        ReportPrinter.Print(new ScenarioReport(60, 100, Run("without breaker", 1), Run("with Fusebox", 10), ["Circuit Breaker Report: fraud"]), output);

        string text = output.ToString();
        Assert.Contains("1,234,560", text, StringComparison.Ordinal);
        Assert.Contains("errors shown to customers: the fraud check failed", text, StringComparison.Ordinal);
        Assert.Contains("Ignored: ran, but did not count toward the breaker", text, StringComparison.Ordinal);
        var latencies = LatencyCell().Matches(text).Select(m => m.Value).ToList();
        Assert.NotEmpty(latencies);
        Assert.All(latencies, cell => Assert.Matches(@"^\d{1,3}(,\d{3})*\.\d\d ms$", cell));
        AssertCellsSeparated(TableRows(text, "checkouts"), 3, text);
    }

    [Theory]
    [InlineData(244.0, "244.0x lower with Fusebox (0.42 ms vs 104.00 ms)")]
    [InlineData(1.04, "about the same with and without Fusebox (0.42 ms vs 104.00 ms)")]
    [InlineData(0.97, "about the same with and without Fusebox (0.42 ms vs 104.00 ms)")]
    [InlineData(0.5, "2.0x higher with Fusebox (0.42 ms vs 104.00 ms)")]
    [InlineData(double.PositiveInfinity, "∞x lower with Fusebox (0.42 ms vs 104.00 ms)")]
    public void The_outage_sentence_says_lower_only_when_Fusebox_was_lower(double improvement, string expected) =>
        Assert.Equal(expected, ReportPrinter.OutageComparison(improvement, "0.42 ms", "104.00 ms"));

    [Fact]
    public void Every_cell_of_the_redis_tables_stands_apart()
    {
        ReplicaPairSummary Pair(string name, int scale) => new(name, [Replica("replica-a", 0.8, scale), Replica("replica-b", 0.2, scale)], 0.987);
        var output = new StringWriter();

        ReplicaReportPrinter.Print(new ReplicaScenarioReport(60, 100, "local redis-server", Pair("local breakers", 10), Pair("shared (quorum)", 100)), output);

        string text = output.ToString();
        AssertCellsSeparated(TableRows(text, "share of checkouts"), 5, text);
        AssertCellsSeparated(TableRows(text, "fraud calls during outage"), 3, text);
        Assert.Contains("1,234,560", text, StringComparison.Ordinal);
    }

    /// <summary>The rows of the table whose first data row starts with <paramref name="firstLabel"/>: from there to the first blank line.</summary>
    private static string[] TableRows(string text, string firstLabel) =>
        [.. text.Split('\n').Select(l => l.TrimEnd('\r')).SkipWhile(l => !l.StartsWith(firstLabel, StringComparison.Ordinal)).TakeWhile(l => l.Length > 0)];

    /// <summary>Each row splits, on runs of two or more spaces, into a label and one cell per column.</summary>
    private static void AssertCellsSeparated(string[] rows, int cells, string text)
    {
        Assert.True(rows.Length > 2, text);
        Assert.All(rows, row => Assert.True(CellGap().Split(row.Trim()).Length == cells, $"'{row}' is not {cells} cells apart\n{text}"));
    }

    [GeneratedRegex(@"[\d,.]+ ms\b")]
    private static partial Regex LatencyCell();

    [GeneratedRegex(@"\s{2,}")]
    private static partial Regex CellGap();
}
