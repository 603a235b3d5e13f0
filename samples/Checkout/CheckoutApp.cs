using System.Runtime.InteropServices;
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

        if (options.PartialOutage)
        {
            PartialOutage.Print(PartialOutage.Run(), output);
            return 0;
        }

        if (options.Redis)
        {
            await new ReplicaScenarioRunner(options, output).RunAsync(
                report => WriteAsync(report, options, output, ReplicaReportPrinter.Print, cancellationToken), cancellationToken).ConfigureAwait(false);
            return 0;
        }

        await new ScenarioRunner(options, output).RunAsync(async report =>
        {
            await WriteAsync(report, options, output, ReportPrinter.Print, cancellationToken).ConfigureAwait(false);
            if (options.Serve)
            {
                await ServeAsync(output, cancellationToken).ConfigureAwait(false);
            }
        }, cancellationToken).ConfigureAwait(false);
        return 0;
    }

    /// <summary>Prints the report, and writes it as JSON when asked to.</summary>
    private static async Task WriteAsync<TReport>(TReport report, ScenarioOptions options, TextWriter output, Action<TReport, TextWriter> print, CancellationToken cancellationToken)
    {
        print(report, output);
        if (options.JsonPath is { } path)
        {
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }), cancellationToken).ConfigureAwait(false);
            output.WriteLine($"Results written to {Path.GetFullPath(path)}");
        }
    }

    /// <summary>Keeps the dashboard up until Ctrl+C (SIGINT) or SIGTERM (what <c>docker stop</c>, systemd and <c>kill</c>
    /// send), then returns so the run's hosts shut down in order. The payment host's own console lifetime would stop
    /// only that host on SIGTERM and leave this wait, and the process, running.</summary>
    private static async Task ServeAsync(TextWriter output, CancellationToken cancellationToken)
    {
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSignal(PosixSignalContext signal)
        {
            signal.Cancel = true; // this method ends the run; the runtime's default would kill it mid-shutdown
            stop.TrySetResult();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        output.WriteLine("Serving the dashboard on http://127.0.0.1:5080/fusebox and metrics on http://127.0.0.1:5080/metrics; Ctrl+C or SIGTERM to stop.");
        output.WriteLine("To try the control buttons, open http://127.0.0.1:5080/demo-login first: DEMO ONLY, it signs this browser in as a fixed operator without a password.");
        await stop.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        output.WriteLine("Stopping.");
    }
}
