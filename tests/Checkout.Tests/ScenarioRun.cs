using System.Text.Json;
using Checkout.Reporting;
using Checkout.Scenario;

namespace Checkout.Tests;

/// <summary>
/// One shortened run of the main job (40 s at 100 checkouts/s), shared by the tests that read its report: a run is
/// 40 s of real load, too long to repeat per assertion.
/// </summary>
public sealed class ScenarioRun : IAsyncLifetime
{
    public JsonElement Root { get; private set; }

    public string Output { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var output = new StringWriter();
        var report = await new ScenarioRunner(ScenarioOptions.Parse(["--duration", "40"]), output).RunAsync(report =>
        {
            ReportPrinter.Print(report, output);
            return Task.CompletedTask;
        }, CancellationToken.None);
        Output = output.ToString();
        Root = JsonSerializer.SerializeToElement(report, new JsonSerializerOptions(JsonSerializerDefaults.Web));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
