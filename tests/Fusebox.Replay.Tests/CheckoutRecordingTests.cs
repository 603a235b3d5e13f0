using Checkout.Scenario;

namespace Fusebox.Replay.Tests;

/// <summary>
/// End to end: a shortened Checkout run (6 s at 20 checkouts/s) records its trace with <c>--record</c>, and replaying
/// it with the sample's own breaker configuration must open where the live breaker did. The live breaker's first
/// rejection is the first call after it opened, so the replay must open between the call before that rejection and the
/// rejection itself, and reject that very call first. Wrong time (durations not advancing the clock, completions out
/// of order) or a different policy moves the open elsewhere.
/// </summary>
public class CheckoutRecordingTests
{
    [Fact]
    public async Task Replaying_a_recorded_run_with_its_own_configuration_opens_where_the_live_breaker_did()
    {
        string path = Path.Combine(Path.GetTempPath(), $"fusebox-replay-{Guid.NewGuid():N}.csv");
        try
        {
            var options = ScenarioOptions.Parse(["--duration", "6", "--rate", "20", "--record", path]);
            await new ScenarioRunner(options, TextWriter.Null).RunAsync(_ => Task.CompletedTask, CancellationToken.None);
            var trace = TraceReader.ReadFile(path);
            var timings = new ScenarioTimings(options);

            var result = WhatIfReplay.Run(trace, [SampleConfiguration(timings)]).Results.Single();

            var records = trace.Records;
            int firstRejection = records.ToList().FindIndex(r => r.Outcome == TraceOutcome.Rejected);
            Assert.True(firstRejection > 0, "the recorded run never rejected a call: the outage did not trip the breaker");
            var opened = Assert.NotNull(result.FirstOpenAt);
            Assert.InRange(opened, records[firstRejection - 1].At, records[firstRejection].At);
            Assert.Equal(records[firstRejection].At, result.FirstRejectedAt);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The breaker of samples/Checkout/Admin/PaymentHost.cs, in the --policy grammar.</summary>
    private static ReplayConfiguration SampleConfiguration(ScenarioTimings t) => PolicyParser.Parse(FormattableString.Invariant(
        $"name=sample,consecutive:5,break={t.BreakDuration.TotalMilliseconds}ms,backoff=2,max={t.MaxBreakDuration.TotalMilliseconds}ms,probes=1,probe-timeout={(t.Timeout * 2).TotalMilliseconds}ms"));
}
