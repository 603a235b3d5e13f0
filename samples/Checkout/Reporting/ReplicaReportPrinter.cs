using Checkout.Scenario;
using static Checkout.Reporting.Figures;

namespace Checkout.Reporting;

/// <summary>Prints the two-replica scenario: local breakers and shared breakers, replica by replica, then pair by pair.</summary>
public static class ReplicaReportPrinter
{
    public static void Print(ReplicaScenarioReport report, TextWriter output)
    {
        ReplicaPairSummary[] pairs = [report.Local, report.Shared];
        var replicas = pairs.SelectMany(p => p.Replicas).ToArray();
        string[] Row(string label, Func<ReplicaSummary, string> value) => [label, .. replicas.Select(value)];
        string[] PairRow(string label, Func<ReplicaPairSummary, string> value) => [label, .. pairs.Select(value)];

        var perReplica = new TextTable(Row("", r => r.Name))
            .Add(Row("share of checkouts", r => Percent(r.TrafficShare)))
            .Add(Row("checkouts", r => Count(r.Checkouts.Requests)))
            .Add(Row("approved", r => Count(r.Checkouts.Approved)))
            .Add(Row("flagged for review (fallback)", r => Count(r.Checkouts.FlaggedForReview)))
            .Add(Row("errors shown to customers", r => Count(r.Checkouts.Errors)))
            .Add(Row("lost", r => Count(r.Checkouts.Lost)))
            .Add(Row("stopped calling, after outage", r => Seconds(r.StoppedAfterSeconds)))
            .Add(Row("fraud calls during the outage", r => Count(r.OutageFraudCalls)))
            .Add(Row("half-open rounds during outage", r => Count(r.HalfOpenRounds)));
        var perPair = new TextTable(PairRow("both replicas", p => p.Name))
            .Add(PairRow("fraud calls during outage", p => Count(p.OutageFraudCalls)))
            .Add(PairRow("gap between the replicas' stops", p => Seconds(p.StopSpreadSeconds)))
            .Add(PairRow("same breaker state (of outage)", p => Percent(p.StateAgreement)));

        output.WriteLine();
        perReplica.WriteTo(output, [.. pairs.Select(p => (p.Name, p.Replicas.Count))]);
        output.WriteLine();
        perPair.WriteTo(output);

        foreach (var replica in report.Shared.Replicas)
        {
            output.WriteLine();
            output.WriteLine($"Shared breaker timeline on {replica.Name} (seconds from start):");
            foreach (var e in replica.Checkouts.BreakerTimeline)
            {
                output.WriteLine($"  {Seconds(e.AtSeconds),9}  {e.State,-10} {e.Reason}");
            }
        }

        output.WriteLine();
        foreach (string line in ReportPrinter.RowLegend)
        {
            output.WriteLine(line);
        }

        output.WriteLine();
        output.WriteLine(
            $"Breakers {report.Shared.Name}: the replicas stopped {Seconds(report.Shared.StopSpreadSeconds)} apart (local breakers: {Seconds(report.Local.StopSpreadSeconds)}), " +
            $"agreed on the breaker state {Percent(report.Shared.StateAgreement)} of the outage (local: {Percent(report.Local.StateAgreement)}), and called the dead fraud service " +
            $"{Count(report.Shared.OutageFraudCalls)} times (local: {Count(report.Local.OutageFraudCalls)}); {Count(report.Local.Lost + report.Shared.Lost)} checkouts lost.");
    }
}
