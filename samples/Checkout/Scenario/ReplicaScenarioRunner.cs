using System.Diagnostics;
using Checkout.Admin;
using Checkout.Fraud;
using Checkout.Payments;
using Checkout.Redis;
using Fusebox;

namespace Checkout.Scenario;

/// <summary>
/// Runs the scripted outage against two payment replicas at once, twice side by side: in one run each replica has
/// its own breaker, in the other the replicas share it through Redis (Fusebox.Redis, quorum mode unless told otherwise). Each run
/// has its own fraud simulator, which counts the calls each replica makes while it is down.
/// </summary>
public sealed class ReplicaScenarioRunner(ScenarioOptions options, TextWriter output)
{
    /// <summary>Replica "a" takes this share of the checkouts, "b" the rest.</summary>
    private const double FirstReplicaShare = 0.8;

    private static readonly string[] s_replicaNames = ["replica-a", "replica-b"];

    public async Task<ReplicaScenarioReport> RunAsync(Func<ReplicaScenarioReport, Task> afterRun, CancellationToken cancellationToken)
    {
        var schedule = new PhaseSchedule(options.Duration);
        var timings = new ScenarioTimings(options);
        await using var localRedis = options.RedisConnection is null ? await LocalRedisServer.StartAsync().ConfigureAwait(false) : null;
        string connection = options.RedisConnection ?? localRedis!.ConnectionString;
        var sharing = new SharedStateSettings(connection, $"checkout-demo:{Guid.NewGuid():N}", options.Sharing);

        await using var localFraud = await FraudSimulator.StartAsync(schedule, timings.Hang);
        await using var sharedFraud = await FraudSimulator.StartAsync(schedule, timings.Hang);
        int capacity = (int)(options.Rate * options.Duration.TotalSeconds) + 1;
        await using var local = await ReplicaPair.StartAsync("local breakers", localFraud, timings, null, capacity);
        await using var shared = await ReplicaPair.StartAsync($"shared ({options.Sharing.ToString().ToLowerInvariant()})", sharedFraud, timings, sharing, capacity);
        foreach (var host in shared.Hosts)
        {
            if (!await host.Shared!.WaitUntilAvailableAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"Redis at {connection} did not answer within 10 s: {host.Shared.UnavailableReason}");
            }
        }

        output.WriteLine($"Two payment replicas per run ({FirstReplicaShare:P0} / {1 - FirstReplicaShare:P0} of the checkouts); Redis {connection}, key prefix {sharing.KeyPrefix}, sharing mode {options.Sharing}");
        output.WriteLine($"Scenario: {options.Duration.TotalSeconds:0} s at {options.Rate} checkouts/s per run; outage from {schedule.OutageStart.TotalSeconds:0.#} s to {schedule.OutageEnd.TotalSeconds:0.#} s; fraud-check timeout {timings.Timeout.TotalMilliseconds:0} ms");

        ReplicaPair[] pairs = [local, shared];
        // The shared throwaway host shares under its own key prefix, so that its breaker never reaches the reported replicas.
        await WarmUp.RunAsync([],
            [() => PaymentHost.StartAsync(localFraud.BaseAddress, timings.Timeout, timings.BreakDuration, timings.MaxBreakDuration, port: 0, WarmUp.ReplicaName),
             () => PaymentHost.StartAsync(sharedFraud.BaseAddress, timings.Timeout, timings.BreakDuration, timings.MaxBreakDuration, port: 0, WarmUp.ReplicaName,
                 sharing with { KeyPrefix = sharing.KeyPrefix + ":warm-up" })],
            cancellationToken).ConfigureAwait(false);
        long startedAt = Stopwatch.GetTimestamp();
        foreach (var pair in pairs)
        {
            pair.Start(startedAt);
        }

        int[] rates = [Math.Max(1, (int)Math.Round(options.Rate * FirstReplicaShare)), Math.Max(1, options.Rate - (int)Math.Round(options.Rate * FirstReplicaShare))];
        var runs = Task.WhenAll(pairs.SelectMany(p => p.Drive(schedule, rates, startedAt, cancellationToken)));
        var sampling = SampleAgreementAsync(pairs, schedule, startedAt, runs);
        await new ProgressLine(output).ShowUntilAsync(runs, () =>
            $"[{Stopwatch.GetElapsedTime(startedAt).TotalSeconds,5:0.0}s/{options.Duration.TotalSeconds:0}s] phase {schedule.At(Stopwatch.GetElapsedTime(startedAt)),-9}" +
            string.Concat(pairs.Select(p => $" | {p.Name}: {p.Describe()}"))).ConfigureAwait(false);
        await sampling.ConfigureAwait(false);

        double outageStart = schedule.OutageStart.TotalSeconds;
        double outageEnd = schedule.OutageEnd.TotalSeconds;
        var report = new ReplicaScenarioReport(options.Duration.TotalSeconds, options.Rate, options.RedisConnection ?? "local redis-server",
            local.Summarize(rates, outageStart, outageEnd), shared.Summarize(rates, outageStart, outageEnd));
        await afterRun(report).ConfigureAwait(false);
        return report;
    }

    /// <summary>Samples both replicas' breaker states every 5 ms during the outage, until the runs end.</summary>
    private static async Task SampleAgreementAsync(ReplicaPair[] pairs, PhaseSchedule schedule, long startedAt, Task runs)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
        while (!runs.IsCompleted && await timer.WaitForNextTickAsync().ConfigureAwait(false))
        {
            if (PhaseSchedule.IsOutage(schedule.At(Stopwatch.GetElapsedTime(startedAt))))
            {
                foreach (var pair in pairs)
                {
                    pair.SampleAgreement();
                }
            }
        }
    }

    /// <summary>Two payment replicas against one fraud simulator, with their recorders and timelines.</summary>
    private sealed class ReplicaPair : IAsyncDisposable
    {
        private readonly FraudSimulator _fraud;
        private readonly RunRecorder[] _recorders;
        private readonly BreakerTimeline[] _timelines;
        private int _samples;
        private int _agreeing;

        private ReplicaPair(string name, FraudSimulator fraud, PaymentHost[] hosts, int capacity)
        {
            Name = name;
            _fraud = fraud;
            Hosts = hosts;
            _recorders = [.. hosts.Select(_ => new RunRecorder(capacity))];
            _timelines = [.. hosts.Select(h => new BreakerTimeline(h.Registry))];
        }

        public string Name { get; }

        public PaymentHost[] Hosts { get; }

        public static async Task<ReplicaPair> StartAsync(string name, FraudSimulator fraud, ScenarioTimings timings, SharedStateSettings? sharing, int capacity)
        {
            var hosts = new PaymentHost[s_replicaNames.Length];
            for (int i = 0; i < hosts.Length; i++)
            {
                hosts[i] = await PaymentHost.StartAsync(fraud.BaseAddress, timings.Timeout, timings.BreakDuration, timings.MaxBreakDuration, port: 0,
                    s_replicaNames[i], sharing).ConfigureAwait(false);
            }

            return new ReplicaPair(name, fraud, hosts, capacity);
        }

        public void Start(long startedAt)
        {
            _fraud.Start();
            foreach (var timeline in _timelines)
            {
                timeline.Start(startedAt);
            }
        }

        public IEnumerable<Task> Drive(PhaseSchedule schedule, int[] rates, long startedAt, CancellationToken cancellationToken) =>
            Hosts.Select((h, i) => LoadDriver.RunAsync(new PaymentService(h.FraudClient), _recorders[i], schedule, rates[i], startedAt, cancellationToken));

        public void SampleAgreement()
        {
            var states = Hosts.Select(h => h.Registry.Breakers.FirstOrDefault()?.State ?? BreakerState.Closed).ToArray();
            _samples++;
            if (states.All(s => s == states[0]))
            {
                _agreeing++;
            }
        }

        public string Describe() => string.Join(", ", Hosts.Select((h, i) =>
            $"{_recorders[i].Completed,5} done {StateNames.Of(h.Registry.Breakers.FirstOrDefault()?.State ?? BreakerState.Closed),-9}"));

        public ReplicaPairSummary Summarize(int[] rates, double outageStart, double outageEnd)
        {
            var replicas = Hosts.Select((h, i) =>
            {
                string replica = s_replicaNames[i];
                var timeline = _timelines[i].Entries();
                var checkouts = _recorders[i].Summarize(replica, _fraud.PeakInFlight, _fraud.CallsFrom(replica), timeline);
                var duringOutage = timeline.Where(e => e.AtSeconds >= outageStart && e.AtSeconds < outageEnd).ToArray();
                double? stopped = OutageStop.After(timeline, outageStart, outageEnd);
                return new ReplicaSummary(replica, (double)rates[i] / rates.Sum(), checkouts, stopped, _fraud.OutageCallsFrom(replica),
                    duringOutage.Count(e => e.State == StateNames.Of(BreakerState.HalfOpen)));
            }).ToArray();
            return new ReplicaPairSummary(Name, replicas, _samples == 0 ? 0 : Math.Round((double)_agreeing / _samples, 3));
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var host in Hosts)
            {
                await host.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
