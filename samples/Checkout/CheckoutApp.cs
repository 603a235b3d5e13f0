using System.Text.Json;
using Checkout.Reporting;
using Checkout.Scenario;

namespace Checkout;

/// <summary>The main job: the scripted fraud-service outage, with and without Fusebox, side by side.</summary>
public static class CheckoutApp
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken = default)
    {
        if (args.Contains("--help"))
        {
            output.WriteLine(ScenarioOptions.Usage);
            return 0;
        }

        ScenarioOptions options;
        try
        {
            options = ScenarioOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            output.WriteLine(ex.Message);
            return 2;
        }

        await new ScenarioRunner(options, output).RunAsync(async report =>
        {
            ReportPrinter.Print(report, output);
            if (options.JsonPath is { } path)
            {
                await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }), cancellationToken).ConfigureAwait(false);
                output.WriteLine($"Results written to {Path.GetFullPath(path)}");
            }

            if (options.Serve)
            {
                await ServeAsync(output, cancellationToken).ConfigureAwait(false);
            }
        }, cancellationToken).ConfigureAwait(false);
        return 0;
    }

    private static async Task ServeAsync(TextWriter output, CancellationToken cancellationToken)
    {
        output.WriteLine("Serving the dashboard on http://127.0.0.1:5080/fusebox and metrics on http://127.0.0.1:5080/metrics; Ctrl+C to stop.");
        var stop = new TaskCompletionSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.TrySetResult();
        };
        await stop.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
