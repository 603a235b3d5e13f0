using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Checkout.Reporting;
using Checkout.Scenario;

namespace Checkout.Tests;

/// <summary>
/// One shortened run of the main job (40 s at 100 checkouts/s), shared by the tests that read its report: a run is
/// 40 s of real load, too long to repeat per assertion. After the run, while the payment host is still up, its
/// Prometheus endpoint is scraped: the documented <c>CircuitBreakerOpened</c> alert fires on the closed→open count
/// found there.
/// </summary>
public sealed partial class ScenarioRun : IAsyncLifetime
{
    public JsonElement Root { get; private set; }

    public string Output { get; private set; } = "";

    /// <summary>The payment host's <c>/metrics</c> page after the run.</summary>
    public string Metrics { get; private set; } = "";

    /// <summary>Closed→open transitions on <see cref="Metrics"/> (summed over breakers: the host has one).</summary>
    public long ExportedOpenings => Metrics.Split('\n')
        .Where(l => l.StartsWith("fusebox_transitions_total{", StringComparison.Ordinal) && l.Contains("fusebox_from=\"closed\"", StringComparison.Ordinal)
                    && l.Contains("fusebox_to=\"open\"", StringComparison.Ordinal))
        .Sum(l => long.Parse(l.Split('}')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture));

    public async ValueTask InitializeAsync()
    {
        var output = new StringWriter();
        var report = await new ScenarioRunner(ScenarioOptions.Parse(["--duration", "40"]), output).RunAsync(async report =>
        {
            ReportPrinter.Print(report, output);
            using var client = new HttpClient();
            Metrics = await client.GetStringAsync(MetricsAddress().Match(output.ToString()).Groups[1].Value);
        }, CancellationToken.None);
        Output = output.ToString();
        Root = JsonSerializer.SerializeToElement(report, new JsonSerializerOptions(JsonSerializerDefaults.Web));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [GeneratedRegex(@"metrics (http://\S+/metrics)")]
    private static partial Regex MetricsAddress();
}
