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
        var hang = TimeSpan.FromSeconds(5 * options.Scale); // "timeouts of several seconds"

        // The payment service's patience, the same in both runs: 100 ms is ~30x a healthy fraud check. No breaker can
        // learn of an outage before its first timeout, so every checkout started in that first window waits in both
        // runs; a longer timeout would make that window alone more than 1 % of the outage's checkouts.
        var timeout = TimeSpan.FromMilliseconds(100);
        var breakDuration = TimeSpan.FromSeconds(2 * options.Scale);

        await using var plainFraud = await FraudSimulator.StartAsync(schedule, hang);
        await using var guardedFraud = await FraudSimulator.StartAsync(schedule, hang);
        await using var host = await PaymentHost.StartAsync(guardedFraud.BaseAddress, timeout, breakDuration, breakDuration * 4, options.Serve ? 5080 : 0);
        using var plainClient = new HttpClient { BaseAddress = plainFraud.BaseAddress, Timeout = timeout };
        output.WriteLine($"Fraud services on {plainFraud.BaseAddress} (direct) and {guardedFraud.BaseAddress} (through Fusebox); dashboard {host.Address}fusebox, metrics {host.Address}metrics");
        output.WriteLine($"Scenario: {options.Duration.TotalSeconds:0} s at {options.Rate} checkouts/s per run; outage from {0.2 * options.Duration.TotalSeconds:0.#} s to {0.8 * options.Duration.TotalSeconds:0.#} s (hangs of {hang.TotalSeconds:0.#} s, then 503s); fraud-check timeout {timeout.TotalMilliseconds:0} ms");

        await WarmUpAsync(plainClient, host, cancellationToken).ConfigureAwait(false);
        int capacity = (int)(options.Rate * options.Duration.TotalSeconds) + 1;
        var plain = new RunRecorder(capacity);
        var guarded = new RunRecorder(capacity);
        var timeline = new List<TimelineEntry>();
        long startedAt = Stopwatch.GetTimestamp();
        host.Registry.StateChanged += (_, e) =>
        {
            lock (timeline)
            {
                timeline.Add(new TimelineEntry(Math.Round(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, 2), StateNames.Of(e.NewState), e.Description));
            }
        };

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

        TimelineEntry[] entries;
        lock (timeline)
        {
            entries = [.. timeline];
        }

        var report = new ScenarioReport(options.Duration.TotalSeconds, options.Rate,
            plain.Summarize("without breaker", plainFraud.PeakInFlight, plainFraud.Calls, []),
            guarded.Summarize("with Fusebox", guardedFraud.PeakInFlight, guardedFraud.Calls, entries));
        await afterRun(report).ConfigureAwait(false);
        return report;
    }

    /// <summary>Opens connections and JIT-compiles both paths before the clock starts, so that the first checkouts of
    /// the healthy phase do not time out on start-up costs; then clears the breaker of anything warm-up taught it.</summary>
    private static async Task WarmUpAsync(HttpClient plainClient, PaymentHost host, CancellationToken cancellationToken)
    {
        var guardedClient = host.FraudClient;
        for (int round = 0; round < 3; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, 20).SelectMany(i => new[]
            {
                WarmUpCallAsync(plainClient, $"warm-{round}-{i}", cancellationToken),
                WarmUpCallAsync(guardedClient, $"warm-{round}-{i}", cancellationToken),
            })).ConfigureAwait(false);
        }

        foreach (var breaker in host.Registry.Breakers)
        {
            breaker.Reset("warm-up done");
        }
    }

    private static async Task WarmUpCallAsync(HttpClient client, string transactionId, CancellationToken cancellationToken)
    {
        try
        {
            using var _ = await client.GetAsync("check/" + transactionId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException or BrokenCircuitException or TaskCanceledException)
        {
            // warm-up only: a slow first call is exactly what it is here to absorb
        }
    }
}
