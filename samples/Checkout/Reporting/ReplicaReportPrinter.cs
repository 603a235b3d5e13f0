using System.Globalization;
using Checkout.Scenario;

namespace Checkout.Reporting;

/// <summary>Prints the two-replica scenario: local breakers and shared breakers, replica by replica.</summary>
public static class ReplicaReportPrinter
{
    public static void Print(ReplicaScenarioReport report, TextWriter output)
    {
        var pairs = new[] { report.Local, report.Shared };
        var replicas = pairs.SelectMany(p => p.Replicas).ToArray();
        string Seconds(double? s) => s is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) + " s" : "never";
        string Row(string label, Func<ReplicaSummary, string> value) =>
            $"{label,-34}" + string.Concat(replicas.Select(r => $"{value(r),13}"));
        string PairRow(string label, Func<ReplicaPairSummary, string> value) =>
            $"{label,-34}" + string.Concat(pairs.Select(p => $"{value(p),26}"));

        output.WriteLine();
        output.WriteLine($"{"",-34}{report.Local.Name,26}{report.Shared.Name,26}");
        output.WriteLine(Row("", r => r.Name));
        output.WriteLine(new string('-', 34 + (13 * replicas.Length)));
        output.WriteLine(Row("share of checkouts", r => r.TrafficShare.ToString("P0", CultureInfo.InvariantCulture)));
        output.WriteLine(Row("checkouts", r => $"{r.Checkouts.Requests}"));
        output.WriteLine(Row("approved / flagged / errors", r => $"{r.Checkouts.Approved}/{r.Checkouts.FlaggedForReview}/{r.Checkouts.Errors}"));
        output.WriteLine(Row("lost", r => $"{r.Checkouts.Lost}"));
        output.WriteLine(Row("stopped calling, after outage", r => Seconds(r.StoppedAfterSeconds)));
        output.WriteLine(Row("fraud calls during the outage", r => $"{r.OutageFraudCalls}"));
        output.WriteLine(Row("half-open rounds during outage", r => $"{r.HalfOpenRounds}"));
        output.WriteLine(PairRow("fraud calls during outage, both", p => $"{p.OutageFraudCalls}"));
        output.WriteLine(PairRow("gap between the replicas' stops", p => Seconds(p.StopSpreadSeconds)));
        output.WriteLine(PairRow("same breaker state (of outage)", p => p.StateAgreement.ToString("P1", CultureInfo.InvariantCulture)));

        foreach (var replica in report.Shared.Replicas)
        {
            output.WriteLine();
            output.WriteLine($"Shared breaker timeline on {replica.Name} (seconds from start):");
            foreach (var e in replica.Checkouts.BreakerTimeline)
            {
                output.WriteLine($"  {e.AtSeconds,7:0.00} s  {e.State,-10} {e.Reason}");
            }
        }

        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Breakers {report.Shared.Name}: the replicas stopped {Seconds(report.Shared.StopSpreadSeconds)} apart (local breakers: {Seconds(report.Local.StopSpreadSeconds)}), " +
            $"agreed on the breaker state {report.Shared.StateAgreement:P1} of the outage (local: {report.Local.StateAgreement:P1}), and called the dead fraud service " +
            $"{report.Shared.OutageFraudCalls} times (local: {report.Local.OutageFraudCalls}); {report.Local.Lost + report.Shared.Lost} checkouts lost."));
    }
}
