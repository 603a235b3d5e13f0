using Checkout.Scenario;
using static Checkout.Reporting.Figures;

namespace Checkout.Reporting;

/// <summary>Prints both runs side by side, with a legend of what the rows count.</summary>
public static class ReportPrinter
{
    /// <summary>What the rows of the checkout table mean.</summary>
    public static readonly string[] RowLegend =
    [
        "approved: the fraud service answered in time and said yes.",
        "flagged for review: the breaker was open, so the fallback let the checkout through at once and queued it for a manual fraud review.",
        "errors shown to customers: the fraud check failed (no answer within the fraud-check timeout, a 503, a refused connection) and no",
        "  fallback applied: the customer saw an error page. Without a breaker that is every checkout of the outage; with Fusebox only the",
        "  calls that ran before the breaker opened and the failed half-open probes.",
        "lost: checkouts that never ended (always 0; a checkout ends in exactly one of the three rows above).",
    ];

    /// <summary>What the seed's breaker report counts.</summary>
    public static readonly string[] BreakerReportLegend =
    [
        "Breaker report (the library's CircuitSnapshot.ToReport()): Total calls = Successful + Failed + Rejected + Ignored, one per checkout.",
        "  Rejected: not run because the breaker was open (these are the flagged checkouts). Ignored: ran, but did not count toward the breaker:",
        "  the outcome arrived after the breaker had already changed state (a fraud check that timed out after the breaker opened), or the",
        "  caller cancelled the call.",
    ];

    public static void Print(ScenarioReport report, TextWriter output)
    {
        var a = report.WithoutBreaker;
        var b = report.WithFusebox;
        var table = new TextTable("", "without breaker", "with Fusebox")
            .Add("checkouts", Count(a.Requests), Count(b.Requests))
            .Add("approved", Count(a.Approved), Count(b.Approved))
            .Add("flagged for review (fallback)", Count(a.FlaggedForReview), Count(b.FlaggedForReview))
            .Add("errors shown to customers", Count(a.Errors), Count(b.Errors))
            .Add("lost", Count(a.Lost), Count(b.Lost))
            .Add("checkout p50 during outage", Ms(a.Outage.P50Ms), Ms(b.Outage.P50Ms))
            .Add("checkout p99 during outage", Ms(a.Outage.P99Ms), Ms(b.Outage.P99Ms))
            .Add("checkout max during outage", Ms(a.Outage.MaxMs), Ms(b.Outage.MaxMs))
            .Add("checkout p50 overall", Ms(a.All.P50Ms), Ms(b.All.P50Ms))
            .Add("checkout p99 overall", Ms(a.All.P99Ms), Ms(b.All.P99Ms))
            .Add("peak in-flight fraud calls", Count(a.PeakInFlightFraudCalls), Count(b.PeakInFlightFraudCalls))
            .Add("calls reaching the fraud service", Count(a.FraudServiceCalls), Count(b.FraudServiceCalls));

        output.WriteLine();
        table.WriteTo(output);

        output.WriteLine();
        output.WriteLine("Breaker timeline (seconds from start):");
        foreach (var e in b.BreakerTimeline)
        {
            output.WriteLine($"  {Seconds(e.AtSeconds),9}  {e.State,-10} {e.Reason}");
        }

        foreach (var breakerReport in report.BreakerReports)
        {
            output.WriteLine();
            output.WriteLine(breakerReport);
        }

        output.WriteLine();
        foreach (string line in (string[])[.. RowLegend, .. BreakerReportLegend])
        {
            output.WriteLine(line);
        }

        output.WriteLine();
        output.WriteLine($"During the outage, checkout p99 was {OutageComparison(report.OutageP99Improvement, Ms(b.Outage.P99Ms), Ms(a.Outage.P99Ms))}, " +
                         $"and {(a.Lost + b.Lost == 0 ? "no checkout was lost" : $"{Count(a.Lost + b.Lost)} checkouts were lost")}.");
    }

    /// <summary>The outage p99 with Fusebox against without, in words that match the figures: a short run at a low rate
    /// can leave both at the fraud check's timeout, and then "1.0x lower" would claim a gain that is not there.</summary>
    /// <param name="improvement">Without-breaker p99 ÷ with-Fusebox p99 (infinite when Fusebox's is 0).</param>
    /// <param name="withFusebox">The run with Fusebox's outage p99, formatted.</param>
    /// <param name="withoutBreaker">The run without a breaker's outage p99, formatted.</param>
    internal static string OutageComparison(double improvement, string withFusebox, string withoutBreaker)
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        string figures = $"({withFusebox} vs {withoutBreaker})";
        return improvement switch
        {
            double.PositiveInfinity => $"∞x lower with Fusebox {figures}",
            >= 1.05 => $"{improvement.ToString("N1", invariant)}x lower with Fusebox {figures}",
            > 1 / 1.05 => $"about the same with and without Fusebox {figures}",
            _ => $"{(1 / improvement).ToString("N1", invariant)}x higher with Fusebox {figures}",
        };
    }
}
