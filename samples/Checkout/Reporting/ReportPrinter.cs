using System.Globalization;
using Checkout.Scenario;

namespace Checkout.Reporting;

/// <summary>Prints both runs side by side.</summary>
public static class ReportPrinter
{
    public static void Print(ScenarioReport report, TextWriter output)
    {
        var a = report.WithoutBreaker;
        var b = report.WithFusebox;
        string Ms(double v) => v.ToString(v < 10 ? "0.00" : "0", CultureInfo.InvariantCulture) + " ms";
        var rows = new (string Label, string Without, string With)[]
        {
            ("checkouts", $"{a.Requests}", $"{b.Requests}"),
            ("approved", $"{a.Approved}", $"{b.Approved}"),
            ("flagged for review (fallback)", $"{a.FlaggedForReview}", $"{b.FlaggedForReview}"),
            ("errors shown to customers", $"{a.Errors}", $"{b.Errors}"),
            ("lost", $"{a.Lost}", $"{b.Lost}"),
            ("checkout p50 during outage", Ms(a.Outage.P50Ms), Ms(b.Outage.P50Ms)),
            ("checkout p99 during outage", Ms(a.Outage.P99Ms), Ms(b.Outage.P99Ms)),
            ("checkout max during outage", Ms(a.Outage.MaxMs), Ms(b.Outage.MaxMs)),
            ("checkout p50 / p99 overall", $"{Ms(a.All.P50Ms)} / {Ms(a.All.P99Ms)}", $"{Ms(b.All.P50Ms)} / {Ms(b.All.P99Ms)}"),
            ("peak in-flight fraud calls", $"{a.PeakInFlightFraudCalls}", $"{b.PeakInFlightFraudCalls}"),
            ("calls reaching the fraud service", $"{a.FraudServiceCalls}", $"{b.FraudServiceCalls}"),
        };

        output.WriteLine();
        output.WriteLine($"{"",-34}{"without breaker",18}{"with Fusebox",18}");
        output.WriteLine(new string('-', 70));
        foreach (var (label, without, with) in rows)
        {
            output.WriteLine($"{label,-34}{without,18}{with,18}");
        }

        output.WriteLine();
        output.WriteLine("Breaker timeline (seconds from start):");
        foreach (var e in b.BreakerTimeline)
        {
            output.WriteLine($"  {e.AtSeconds,7:0.00} s  {e.State,-10} {e.Reason}");
        }

        foreach (var breakerReport in report.BreakerReports)
        {
            output.WriteLine();
            output.WriteLine(breakerReport);
        }

        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"During the outage, checkout p99 was {report.OutageP99Improvement:0.#}x lower with Fusebox ({Ms(b.Outage.P99Ms)} vs {Ms(a.Outage.P99Ms)}), and no checkout was lost ({a.Lost + b.Lost} lost)."));
    }
}
