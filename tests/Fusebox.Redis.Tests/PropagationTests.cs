using System.Diagnostics;
using System.Globalization;
using Fusebox.Redis.Tests.Support;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using StackExchange.Redis;

namespace Fusebox.Redis.Tests;

/// <summary>How fast a transition on one replica reaches the others (pub/sub), and the change log that catches missed messages.</summary>
public class PropagationTests
{
    [Fact]
    public async Task Transitions_reach_every_other_replica_quickly_measured_over_1000_transitions()
    {
        await using var redis = await RedisServer.StartAsync();
        // Only the replica's own trips and resets move the state: no cluster-rate decision in between.
        var replicas = await Replica.StartManyAsync(3, redis.ConnectionString, Prefix.New(), SharingMode.Any,
            configure: o => o.MinimumCalls = 1_000_000);
        await using var cleanup = new DisposeAll(replicas);
        var (source, observers) = (replicas[0], replicas[1..]);

        // Each observer stamps the moment it adopts a state (inside the adoption, on the pub/sub thread) and signals.
        var seen = observers.Select(_ => new long[2]).ToArray(); // [state + 1, timestamp]
        using var signal = new SemaphoreSlim(0);
        for (int i = 0; i < observers.Length; i++)
        {
            var slot = seen[i];
            observers[i].Breaker.StateChanged += (_, e) =>
            {
                if (e.Reason == TransitionReason.External)
                {
                    Volatile.Write(ref slot[1], Stopwatch.GetTimestamp());
                    Volatile.Write(ref slot[0], (long)e.NewState + 1);
                    signal.Release();
                }
            };
        }

        const int transitions = 1000;
        var opens = new List<double>();
        var closes = new List<double>();
        var total = Stopwatch.StartNew();
        for (int i = 0; i < transitions; i++)
        {
            bool open = i % 2 == 0;
            var target = open ? BreakerState.Open : BreakerState.Closed;
            foreach (var slot in seen)
            {
                Volatile.Write(ref slot[0], 0);
            }

            while (signal.CurrentCount > 0)
            {
                signal.Wait(0);
            }

            long start = Stopwatch.GetTimestamp();
            if (open)
            {
                source.Fail(5); // a local trip; Any mode publishes it
            }
            else
            {
                source.Breaker.Reset(); // a manual reset from the same replica
            }

            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (!seen.All(s => Volatile.Read(ref s[0]) == (long)target + 1))
            {
                Assert.True(DateTime.UtcNow < deadline, $"transition {i} ({target}) did not reach every replica within 5 s: " +
                    string.Join(" | ", replicas.Select(r => $"{r.Id}: {r.Status} {r.Breaker.Snapshot().LastReason} {r.Breaker.Snapshot().LastReasonDescription} gen {r.Breaker.Generation}")));
                await signal.WaitAsync(TimeSpan.FromMilliseconds(100));
            }

            double ms = Stopwatch.GetElapsedTime(start, seen.Max(s => Volatile.Read(ref s[1]))).TotalMilliseconds;
            (open ? opens : closes).Add(ms);
        }

        var all = opens.Concat(closes).ToList();
        string report = string.Create(CultureInfo.InvariantCulture,
            $"propagation to all of 2 other replicas over {transitions} transitions in {total.Elapsed.TotalSeconds:0.0} s: " +
            $"p50 {Percentile(all, 0.50):0.00} ms, p99 {Percentile(all, 0.99):0.00} ms, max {all.Max():0.00} ms; " +
            $"opens p50 {Percentile(opens, 0.50):0.00} / p99 {Percentile(opens, 0.99):0.00} ms; resets p50 {Percentile(closes, 0.50):0.00} / p99 {Percentile(closes, 0.99):0.00} ms");
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "fusebox-redis-propagation.txt"), report + Environment.NewLine);
        Assert.Equal(transitions, all.Count);
    }

    [Fact]
    public async Task A_replica_that_misses_the_message_catches_up_from_the_change_log()
    {
        await using var redis = await RedisServer.StartAsync();
        // No sweep within the test: only the change log can name the breaker to replica 2 (ChangeLogTests drive it a
        // tick at a time on fake time).
        var replicas = await Replica.StartManyAsync(2, redis.ConnectionString, Prefix.New(), configure: o => o.SweepInterval = TimeSpan.FromMinutes(5));
        await using var cleanup = new DisposeAll(replicas);
        replicas[1].Coordinator.PubSubEnabled = false; // as if its subscription had dropped the message

        replicas[0].Breaker.Isolate("missed by pub/sub");

        // Its messages are ignored: only a read by replica 2's own loop, of the breaker its change log names, can bring the change.
        await Eventually.TrueAsync(() => replicas[1].State == BreakerState.Isolated, "the change log brings the change", seconds: 5);
        Assert.Contains("missed by pub/sub", replicas[1].Breaker.Snapshot().LastReasonDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_propagation_delay_histogram_records_adopted_transitions()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        var replicas = await Replica.StartManyAsync(2, redis.ConnectionString, prefix);
        await using var cleanup = new DisposeAll(replicas);
        using var delays = new MetricCollector<double>(replicas[1].Registry.Metrics.Meter, "fusebox.redis.propagation_delay");
        using var decisions = new MetricCollector<long>(replicas[0].Registry.Metrics.Meter, "fusebox.redis.decisions");

        // The test reads the transition's message too, for the sender's wall-clock stamp the delay is measured from.
        await using var listener = await redis.ConnectAdminAsync();
        var sentAt = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        await listener.GetSubscriber().SubscribeAsync(RedisChannel.Literal(prefix + ":events"), (_, message) =>
        {
            if (ReplyParser.ParseMessage((byte[])message!, _ => new ViewLimits(60_000, 60_000), 0) is { Reply.View: { State: BreakerState.Isolated } view })
            {
                sentAt.TrySetResult(view.SentAtMicros);
            }
        });
        long adoptedAt = 0; // replica 2's wall clock when it adopts the state, which it does before recording the delay
        replicas[1].Breaker.StateChanged += (_, e) =>
        {
            if (e.NewState == BreakerState.Isolated)
            {
                Interlocked.CompareExchange(ref adoptedAt, UnixMicros(DateTimeOffset.UtcNow), 0);
            }
        };

        replicas[0].Breaker.Isolate();
        await Eventually.TrueAsync(() => delays.GetMeasurementSnapshot().Count > 0, "a propagation delay measurement");
        long sent = await sentAt.Task.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        var m = Assert.Single(delays.GetMeasurementSnapshot());
        Assert.Equal(Replica.BreakerName, m.Tags[FuseboxMetrics.BreakerTag]);
        Assert.True(sent > 0, "the message carries the sender's stamp");

        // The delay is the receiver's wall clock when it records, minus the sender's stamp, in milliseconds: so it lies
        // between the adoption (just before the recording) and the collector's timestamp of the measurement (just
        // after), each measured from that stamp. 2 us of slack for the stamps' truncation to whole microseconds.
        double earliest = (Volatile.Read(ref adoptedAt) - sent) / 1000.0;
        double latest = (UnixMicros(m.Timestamp) - sent) / 1000.0;
        Assert.True(earliest > 0, $"adopted {earliest} ms after the stamp");
        Assert.InRange(m.Value, earliest - 0.002, latest + 0.002);
        Assert.Contains(decisions.GetMeasurementSnapshot(), d => (string?)d.Tags["fusebox.redis.outcome"] == "won");
    }

    private static long UnixMicros(DateTimeOffset at) => (at - DateTimeOffset.UnixEpoch).Ticks / 10;

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
