using System.Globalization;
using System.Xml.Linq;

namespace Fusebox.Replay.Tests;

public class TimelinePlotTests
{
    private static readonly XNamespace s_svg = "http://www.w3.org/2000/svg";

    private static double Attribute(XElement e, string name) => double.Parse(e.Attribute(name)!.Value, CultureInfo.InvariantCulture);

    [Fact]
    public void The_svg_is_well_formed_with_one_row_per_configuration_and_bars_where_the_breaker_was_open()
    {
        var trace = ReplayTests.FiveFailuresAtTenSeconds(); // spans 0–60 s
        var report = WhatIfReplay.Run(trace, [PolicyParser.Parse("name=c5,consecutive:5,break=30s"), PolicyParser.Parse("name=<never>,consecutive:6")]);

        var svg = XDocument.Parse(TimelinePlot.Render(report)).Root!; // throws unless well-formed

        var rows = svg.Elements(s_svg + "g").Where(g => (string?)g.Attribute("class") == "configuration").ToList();
        Assert.Equal(["c5", "<never>"], rows.Select(r => r.Attribute("data-name")!.Value));
        var open = rows[0].Elements(s_svg + "rect").Single(r => (string?)r.Attribute("class") == "open");
        // 10 s to 40 s of a 60 s trace on 760 px from x = 180: 306.667 to 686.667.
        Assert.Equal((306.667, 380.0), (Attribute(open, "x"), Attribute(open, "width")));
        var halfOpen = rows[0].Elements(s_svg + "rect").Single(r => (string?)r.Attribute("class") == "half-open");
        Assert.Equal(686.667, Attribute(halfOpen, "x"));
        Assert.DoesNotContain(rows[1].Elements(s_svg + "rect"), r => r.Attribute("class") is not null);
    }

    [Fact]
    public void The_density_shows_the_recorded_failure_rate_per_bucket()
    {
        var report = WhatIfReplay.Run(ReplayTests.FiveFailuresAtTenSeconds(), [PolicyParser.Parse("consecutive:5")]);

        var svg = XDocument.Parse(TimelinePlot.Render(report)).Root!;

        var density = svg.Elements(s_svg + "g").Single(g => (string?)g.Attribute("class") == "density");
        Assert.Equal(1, Attribute(density, "data-bucket-seconds")); // 60 buckets over 60 s
        var bars = density.Elements(s_svg + "rect").Where(r => (string?)r.Attribute("class") == "failure-rate").ToList();
        // One bucket per second: only 10–11 s holds failures (5 of its 6 calls); the others are all successes (rate 0).
        var failing = bars.Where(b => Attribute(b, "data-rate") > 0).ToList();
        Assert.Equal((306.667, 0.833), (Attribute(Assert.Single(failing), "x"), Attribute(failing[0], "data-rate")));
    }
}
