using System.Diagnostics;
using Checkout.Admin;
using Checkout.Fraud;
using Checkout.Payments;
using Fusebox;

namespace Checkout.Scenario;

/// <summary>
/// Runs the scripted outage twice at the same time — once calling the fraud service directly, once through
/// Fusebox — each against its own fraud simulator, and reports both.
/// </summary>
public sealed class ScenarioRunner(ScenarioOptions options, TextWriter output)
{
    /// <param name="afterRun">Runs with the report while the services are still up (e.g. to keep serving the dashboard).</param>
    /// <param name="cancellationToken">Stops the run.</param>
    public async Task<ScenarioReport> RunAsync(Func<ScenarioReport, Task> afterRun, CancellationToken cancellationToken)
    {
        var schedule = new PhaseSchedule(options.Duration);
        var timings = new ScenarioTimings(options);

        await using var plainFraud = await FraudSimulator.StartAsync(schedule, timings.Hang);
        await using var guardedFraud = await FraudSimulator.StartAsync(schedule, timings.Hang);
        var trace = options.RecordPath is null ? null : new FraudCallTrace();
        await using var host = await PaymentHost.StartAsync(guardedFraud.BaseAddress, timings.Timeout, timings.BreakDuration, timings.MaxBreakDuration, options.Serve ? 5080 : 0,
            demoLogin: options.Serve, trace: trace);
        using var plainClient = new HttpClient { BaseAddress = plainFraud.BaseAddress, Timeout = timings.Timeout };
        output.WriteLine($"Fraud services on {plainFraud.BaseAddress} (direct) and {guardedFraud.BaseAddress} (through Fusebox); dashboard {host.Address}fusebox, metrics {host.Address}metrics");
        output.WriteLine($"Scenario: {options.Duration.TotalSeconds:0} s at {options.Rate} checkouts/s per run; outage from {schedule.OutageStart.TotalSeconds:0.#} s to {schedule.OutageEnd.TotalSeconds:0.#} s (hangs of {timings.Hang.TotalSeconds:0.#} s, then 503s); fraud-check timeout {timings.Timeout.TotalMilliseconds:0} ms");

        // Listening from the host's start, not the clock's: a transition before the first checkout would show (at a negative time).
        var timeline = new BreakerTimeline(host.Registry);
        await WarmUp.RunAsync([plainClient],
            [() => PaymentHost.StartAsync(guardedFraud.BaseAddress, timings.Timeout, timings.BreakDuration, timings.MaxBreakDuration, port: 0, WarmUp.ReplicaName)],
            cancellationToken).ConfigureAwait(false);
        int capacity = (int)(options.Rate * options.Duration.TotalSeconds) + 1;
        var plain = new RunRecorder(capacity);
        var guarded = new RunRecorder(capacity);
        long startedAt = Stopwatch.GetTimestamp();
        timeline.Start(startedAt);
        trace?.Start(startedAt);

        plainFraud.Start();
        guardedFraud.Start();
        var runs = Task.WhenAll(
            LoadDriver.RunAsync(new PaymentService(plainClient), plain, schedule, options.Rate, startedAt, cancellationToken),
            LoadDriver.RunAsync(new PaymentService(host.FraudClient), guarded, schedule, options.Rate, startedAt, cancellationToken));
        await new ProgressLine(output).ShowUntilAsync(runs, () =>
        {
            var breaker = host.Registry.Breakers.FirstOrDefault();
            return $"[{Stopwatch.GetElapsedTime(startedAt).TotalSeconds,5:0.0}s/{options.Duration.TotalSeconds:0}s] phase {schedule.At(Stopwatch.GetElapsedTime(startedAt)),-9}" +
                   $" | direct: {plain.Completed,6} done {plain.InFlight,4} waiting | Fusebox: {guarded.Completed,6} done {guarded.InFlight,4} waiting, breaker {(breaker is null ? "-" : StateNames.Of(breaker.State)),-9}";
        }).ConfigureAwait(false);

        var report = new ScenarioReport(options.Duration.TotalSeconds, options.Rate,
            plain.Summarize("without breaker", plainFraud.PeakInFlight, plainFraud.Calls, []),
            guarded.Summarize("with Fusebox", guardedFraud.PeakInFlight, guardedFraud.Calls, timeline.Entries()),
            [.. host.Registry.Report().Select(s => s.ToReport())]);
        if (trace is not null)
        {
            await trace.WriteAsync(options.RecordPath!, cancellationToken).ConfigureAwait(false);
            output.WriteLine($"Trace of {trace.Count} fraud calls written to {Path.GetFullPath(options.RecordPath!)}");
        }

        await afterRun(report).ConfigureAwait(false);
        return report;
    }
}
