using System.Globalization;
using System.Text.RegularExpressions;

namespace Checkout.Tests;

/// <summary>The warm-up before the clock starts must leave no trace in what the run reports or exports (same run as
/// the other scenario tests: see <see cref="ScenarioRun"/>).</summary>
public partial class ScenarioTests
{
    [Fact]
    public void The_breaker_report_counts_exactly_the_checkouts()
    {
        var with = _run.Root.GetProperty("withFusebox");
        string report = _run.Root.GetProperty("breakerReports")[0].GetString()!;

        long total = long.Parse(Regex.Match(report, @"Total calls:\s+([\d,]+)").Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);

        Assert.True(with.GetProperty("requests").GetInt32() == total, $"{with.GetProperty("requests").GetInt32()} checkouts, but the breaker report counts {total} calls\n{_run.Output}");
    }

    [Fact]
    public void No_transition_happens_before_the_first_checkout_and_the_timeline_holds_every_transition()
    {
        var timeline = _run.Root.GetProperty("withFusebox").GetProperty("breakerTimeline").EnumerateArray()
            .Select(e => (At: e.GetProperty("atSeconds").GetDouble(), State: e.GetProperty("state").GetString()!)).ToList();
        string report = _run.Root.GetProperty("breakerReports")[0].GetString()!;
        int stateChanges = int.Parse(Regex.Match(report, @"State changes:\s+(\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        int openings = timeline.Where((e, i) => e.State == "open" && (i == 0 ? "closed" : timeline[i - 1].State) == "closed").Count();

        // The timeline starts with the host, so a warm-up transition on the reported breaker would stand at a negative time,
        // and the breaker's lifetime count (which /metrics and the CircuitBreakerOpened alert follow) would exceed it.
        // (/metrics itself is not compared: it is read after the run, and a trip while the run shuts down is counted
        // there but not in the run's timeline: CI saw 2 against 1.)
        Assert.DoesNotContain(timeline, e => e.At < 0);
        Assert.True(openings >= 1, $"the outage opens the breaker\n{_run.Output}");
        Assert.True(stateChanges == timeline.Count, $"the breaker changed state {stateChanges} times, its timeline shows {timeline.Count}\n{_run.Output}");
    }
}
