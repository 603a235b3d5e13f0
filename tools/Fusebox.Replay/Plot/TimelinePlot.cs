using System.Globalization;
using System.Security;
using System.Text;

namespace Fusebox.Replay;

/// <summary>
/// The replay as an SVG timeline, written by hand (no package): one row per configuration with its open (red) and
/// half-open (amber) spans as bars, underneath the trace's failure rate per time bucket as bars, and a time axis.
/// Every bar carries <c>data-</c> attributes (configuration, state, start and end in seconds) for tools and tests.
/// </summary>
public static class TimelinePlot
{
    /// <summary>Left edge of the plot area: the configuration names go to its left.</summary>
    public const double PlotLeft = 180;

    /// <summary>Width of the plot area: the trace's span from 0 to its end maps onto it.</summary>
    public const double PlotWidth = 760;

    private const double RowHeight = 26, Top = 30, DensityHeight = 110, Buckets = 60;

    /// <summary>The x coordinate of time <paramref name="t"/> in a plot of a trace spanning <paramref name="span"/>.</summary>
    public static double X(TimeSpan t, TimeSpan span) => PlotLeft + (span <= TimeSpan.Zero ? 0 : t / span * PlotWidth);

    /// <summary>Writes the plot of <paramref name="report"/> as SVG text.</summary>
    public static string Render(ReplayReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var span = report.Trace.End > TimeSpan.Zero ? report.Trace.End : TimeSpan.FromSeconds(1);
        double rowsBottom = Top + (report.Results.Count * RowHeight);
        double densityTop = rowsBottom + 30, densityBottom = densityTop + DensityHeight, height = densityBottom + 60;
        var svg = new SvgText();
        svg.Line($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{N(PlotLeft + PlotWidth + 20)}\" height=\"{N(height)}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.Line($"<title>Fusebox what-if replay of {Escape(report.Trace.Source)}</title>");
        svg.Line("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        svg.Line($"<text x=\"{N(PlotLeft)}\" y=\"18\" font-weight=\"bold\">What-if replay of {Escape(report.Trace.Source)}: open (red) and half-open (amber) per configuration</text>");
        for (int i = 0; i < report.Results.Count; i++)
        {
            Row(svg, report.Results[i], Top + (i * RowHeight), span);
        }

        Density(svg, report.Trace, densityTop, densityBottom, span);
        Axis(svg, densityBottom, span);
        svg.Line("</svg>");
        return svg.ToString();
    }

    private static void Row(SvgText svg, ConfigurationResult result, double y, TimeSpan span)
    {
        string name = Escape(result.Name);
        svg.Line($"<g class=\"configuration\" data-name=\"{name}\">");
        svg.Line($"<text x=\"{N(PlotLeft - 8)}\" y=\"{N(y + 16)}\" text-anchor=\"end\">{name}</text>");
        svg.Line($"<rect x=\"{N(PlotLeft)}\" y=\"{N(y + 4)}\" width=\"{N(PlotWidth)}\" height=\"{N(RowHeight - 8)}\" fill=\"#eef5ee\"/>");
        foreach (var interval in result.Intervals)
        {
            double x0 = X(interval.Start, span), x1 = X(interval.End, span);
            string fill = interval.State == BreakerState.Open ? "#d62728" : "#ff9f1c";
            svg.Line($"<rect class=\"{(interval.State == BreakerState.Open ? "open" : "half-open")}\" x=\"{N(x0)}\" y=\"{N(y + 4)}\" width=\"{N(Math.Max(x1 - x0, 0.5))}\" height=\"{N(RowHeight - 8)}\" fill=\"{fill}\" " +
                     $"data-start=\"{N(interval.Start.TotalSeconds)}\" data-end=\"{N(interval.End.TotalSeconds)}\"><title>{name}: {interval.State} {N(interval.Start.TotalSeconds)}–{N(interval.End.TotalSeconds)} s ({interval.Reason})</title></rect>");
        }

        svg.Line("</g>");
    }

    private static void Density(SvgText svg, OutcomeTrace trace, double top, double bottom, TimeSpan span)
    {
        var bucket = span / Buckets;
        svg.Line($"<g class=\"density\" data-bucket-seconds=\"{N(bucket.TotalSeconds)}\">");
        svg.Line($"<text x=\"{N(PlotLeft - 8)}\" y=\"{N(top + 12)}\" text-anchor=\"end\">failure rate</text>");
        svg.Line($"<text x=\"{N(PlotLeft - 8)}\" y=\"{N(top + 26)}\" text-anchor=\"end\" fill=\"#666\">per {N(bucket.TotalSeconds)} s (recorded)</text>");
        svg.Line($"<rect x=\"{N(PlotLeft)}\" y=\"{N(top)}\" width=\"{N(PlotWidth)}\" height=\"{N(bottom - top)}\" fill=\"none\" stroke=\"#ccc\"/>");
        var known = new int[(int)Buckets];
        var failed = new int[(int)Buckets];
        foreach (var record in trace.Records.Where(r => r.Outcome != TraceOutcome.Rejected))
        {
            int b = Math.Min((int)Buckets - 1, (int)(record.At / bucket));
            known[b]++;
            failed[b] += record.IsFailure ? 1 : 0;
        }

        for (int b = 0; b < Buckets; b++)
        {
            if (known[b] == 0)
            {
                continue;
            }

            double rate = (double)failed[b] / known[b], h = rate * (bottom - top);
            svg.Line($"<rect class=\"failure-rate\" x=\"{N(X(bucket * b, span))}\" y=\"{N(bottom - h)}\" width=\"{N(PlotWidth / Buckets)}\" height=\"{N(h)}\" fill=\"#7f7f7f\" data-rate=\"{N(rate)}\"/>");
        }

        svg.Line("</g>");
    }

    private static void Axis(SvgText svg, double y, TimeSpan span)
    {
        double step = NiceStep(span.TotalSeconds / 8);
        svg.Line($"<g class=\"axis\"><line x1=\"{N(PlotLeft)}\" y1=\"{N(y)}\" x2=\"{N(PlotLeft + PlotWidth)}\" y2=\"{N(y)}\" stroke=\"black\"/>");
        for (double s = 0; s <= span.TotalSeconds + 1e-9; s += step)
        {
            double x = X(TimeSpan.FromSeconds(s), span);
            svg.Line($"<line x1=\"{N(x)}\" y1=\"{N(y)}\" x2=\"{N(x)}\" y2=\"{N(y + 5)}\" stroke=\"black\"/><text x=\"{N(x)}\" y=\"{N(y + 18)}\" text-anchor=\"middle\">{N(s)} s</text>");
        }

        svg.Line($"<text x=\"{N(PlotLeft + (PlotWidth / 2))}\" y=\"{N(y + 38)}\" text-anchor=\"middle\">time since the start of the trace</text></g>");
    }

    /// <summary>1, 2 or 5 times a power of ten, at least <paramref name="rough"/>: tick spacing that reads well.</summary>
    private static double NiceStep(double rough)
    {
        double power = Math.Pow(10, Math.Floor(Math.Log10(Math.Max(rough, 1e-3))));
        return new[] { 1.0, 2, 5, 10 }.Select(m => m * power).First(step => step >= rough);
    }

    private static string N(double value) => Math.Round(value, 3).ToString("0.###", CultureInfo.InvariantCulture);

    private static string Escape(string text) => SecurityElement.Escape(text);

    private sealed class SvgText
    {
        private readonly StringBuilder _text = new();

        public void Line(string line) => _text.Append(line).Append('\n');

        public override string ToString() => _text.ToString();
    }
}
