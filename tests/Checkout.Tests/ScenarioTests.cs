namespace Checkout.Tests;

// The scenarios drive load on real sockets: one at a time, so that one does not skew another's latencies.
[Collection(nameof(ScenarioCollection))]
public partial class ScenarioTests(ScenarioRun run) : IClassFixture<ScenarioRun>
{
    private readonly ScenarioRun _run = run;

    [Fact]
    public void A_shortened_scenario_shows_fusebox_cuts_outage_p99_tenfold_and_loses_nothing()
    {
        var root = _run.Root;
        var output = _run.Output;
        var without = root.GetProperty("withoutBreaker");
        var with = root.GetProperty("withFusebox");
        foreach (var run in new[] { without, with })
        {
            int requests = run.GetProperty("requests").GetInt32();
            Assert.Equal(4000, requests);
            Assert.Equal(0, run.GetProperty("lost").GetInt32());
            Assert.Equal(requests, run.GetProperty("approved").GetInt32() + run.GetProperty("flaggedForReview").GetInt32() + run.GetProperty("errors").GetInt32());
        }

        double p99Without = without.GetProperty("outage").GetProperty("p99Ms").GetDouble();
        double p99With = with.GetProperty("outage").GetProperty("p99Ms").GetDouble();
        Assert.True(p99With * 10 <= p99Without, $"outage p99: {p99With} ms with Fusebox vs {p99Without} ms without\n{output}");
        Assert.True(with.GetProperty("flaggedForReview").GetInt32() > 1000, output);
        Assert.Equal(0, without.GetProperty("flaggedForReview").GetInt32());
        Assert.True(with.GetProperty("fraudServiceCalls").GetInt32() * 2 < without.GetProperty("fraudServiceCalls").GetInt32());
        var timeline = with.GetProperty("breakerTimeline").EnumerateArray().Select(e => e.GetProperty("state").GetString()).ToList();
        Assert.Contains("open", timeline);
        Assert.Contains("half_open", timeline);
        // Whether the last probe of the recovered phase already closed it depends on load (a 100 ms probe timeout on a
        // busy 2-core CI machine can reopen it once more), so closing is shown by the sample, not asserted here.
        Assert.True(root.GetProperty("outageP99Improvement").GetDouble() >= 10);
        TestContext.Current.SendDiagnosticMessage($"outage p99: {p99With:0.00} ms with Fusebox vs {p99Without:0.00} ms without");
        string text = output;
        Assert.Contains("without breaker", text, StringComparison.Ordinal);
        Assert.Contains("checkout p99 during outage", text, StringComparison.Ordinal);
        Assert.Contains("Breaker timeline", text, StringComparison.Ordinal);
        Assert.Contains("Circuit Breaker Report: fraud", text, StringComparison.Ordinal); // the seed's status report
        Assert.Contains("Rejected (open): ", text, StringComparison.Ordinal);
    }
}
