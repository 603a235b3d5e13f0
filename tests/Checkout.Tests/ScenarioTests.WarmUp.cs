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
    public void No_transition_happens_before_the_first_checkout_and_every_exported_opening_is_in_the_timeline()
    {
        var timeline = _run.Root.GetProperty("withFusebox").GetProperty("breakerTimeline").EnumerateArray()
            .Select(e => (At: e.GetProperty("atSeconds").GetDouble(), State: e.GetProperty("state").GetString()!)).ToList();
        string report = _run.Root.GetProperty("breakerReports")[0].GetString()!;
        int stateChanges = int.Parse(Regex.Match(report, @"State changes:\s+(\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        int openings = timeline.Where((e, i) => e.State == "open" && (i == 0 ? "closed" : timeline[i - 1].State) == "closed").Count();

        Assert.DoesNotContain(timeline, e => e.At < 0);
        // The alert's counter and the breaker's lifetime count see every transition since the host started; the timeline the run's.
        Assert.True(_run.ExportedOpenings == openings,
            $"/metrics counts {_run.ExportedOpenings} closed→open transitions (each fires CircuitBreakerOpened), the run's timeline {openings}\n{_run.Output}\n{_run.Metrics}");
        Assert.True(stateChanges == timeline.Count, $"the breaker changed state {stateChanges} times, its timeline shows {timeline.Count}\n{_run.Output}");
    }
}
