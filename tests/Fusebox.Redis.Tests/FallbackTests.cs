using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Fusebox.Redis.Tests.Support;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Fusebox.Redis.Tests;

/// <summary>Redis down, killed, restarted or slow: callers never notice Redis, breakers keep protecting, state reconciles.</summary>
public class FallbackTests
{
    [Fact]
    public async Task Killing_redis_mid_traffic_surfaces_no_redis_error_and_local_breakers_keep_protecting()
    {
        await using var redis = await RedisServer.StartAsync();
        var replicas = await Replica.StartManyAsync(3, redis.ConnectionString, Prefix.New());
        await using var cleanup = new DisposeAll(replicas);

        var unexpected = new ConcurrentQueue<Exception>();
        bool dependencyDownForFirst = false;
        long calls = 0, rejected = 0;
        using var stop = new CancellationTokenSource();
        var traffic = replicas.Select((r, i) => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await r.Breaker.ExecuteAsync(_ => i == 0 && Volatile.Read(ref dependencyDownForFirst)
                        ? throw new DependencyDownException()
                        : ValueTask.FromResult(42));
                    Interlocked.Increment(ref calls);
                }
                catch (CircuitOpenException)
                {
                    Interlocked.Increment(ref rejected);
                }
                catch (DependencyDownException)
                {
                }
                catch (Exception ex)
                {
                    unexpected.Enqueue(ex);
                }

                await Task.Delay(1);
            }
        })).ToArray();

        await Eventually.TrueAsync(() => Interlocked.Read(ref calls) > 300, "traffic flowing while Redis is up");
        await redis.KillAsync();
        Volatile.Write(ref dependencyDownForFirst, true); // during the outage, replica 1's dependency fails too

        await Eventually.TrueAsync(() => replicas.All(r => !r.Coordinator.IsRedisAvailable), "every replica noticed the outage");
        await Eventually.TrueAsync(() => replicas[0].State == BreakerState.Open, "replica 1's local breaker still trips");
        long rejectedBefore = Interlocked.Read(ref rejected);
        await Eventually.TrueAsync(() => Interlocked.Read(ref rejected) > rejectedBefore + 20, "and keeps rejecting");
        await stop.CancelAsync();
        await Task.WhenAll(traffic);

        Assert.Empty(unexpected);
        Assert.Equal(BreakerState.Closed, replicas[1].State);
        Assert.Equal(BreakerState.Closed, replicas[2].State);
        var status = replicas[0].Status;
        Assert.True(status.LocalFallback);
        Assert.Equal(StateScope.Local, status.Scope);
        Assert.NotNull(replicas[0].Coordinator.UnavailableReason);
        Assert.NotNull(replicas[0].Coordinator.UnavailableSince);

        // The breaker's own snapshot (what the admin API and dashboard show) says so too.
        var coordination = replicas[1].Breaker.Snapshot().Coordination;
        Assert.NotNull(coordination);
        Assert.Equal("redis", coordination.Coordinator);
        Assert.True(coordination.LocalFallback);
        Assert.StartsWith("Redis unavailable since ", coordination.Detail, StringComparison.Ordinal);
        Assert.EndsWith(": deciding locally", coordination.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_restart_with_an_empty_redis_the_more_severe_state_wins_and_is_shared_again()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        var breaker = Replica.BreakerOptions();
        breaker.BreakDuration = TimeSpan.FromSeconds(30);
        var replicas = await Replica.StartManyAsync(2, redis.ConnectionString, prefix, breaker: breaker);
        await using var cleanup = new DisposeAll(replicas);
        replicas[0].Fail(4);
        replicas[1].Fail(4);
        replicas[0].Succeed(1);
        replicas[0].Fail(3); // 12 calls, 11 failures, both replicas failing
        await Eventually.AllInStateAsync(replicas, BreakerState.Open);

        await redis.KillAsync();
        await Eventually.TrueAsync(() => replicas.All(r => !r.Coordinator.IsRedisAvailable), "fallback");
        Assert.All(replicas, r => Assert.Equal(BreakerState.Open, r.State)); // an open breaker stays open
        await redis.RestartAsync(); // no persistence: Redis comes back empty

        await Eventually.TrueAsync(() => replicas.All(r => r.Coordinator.IsRedisAvailable), "reconnected", seconds: 10);
        await Eventually.TrueAsync(() => replicas.All(r => r.Status.ClusterState == BreakerState.Open), "the open state is back in Redis");
        Assert.All(replicas, r => Assert.Equal(BreakerState.Open, r.State));

        await using var late = await Replica.StartAsync(redis.ConnectionString, Replica.Options(prefix, id: "late"), breaker);
        await Eventually.TrueAsync(() => late.State == BreakerState.Open, "a replica started after the restart adopts it");
    }

    [Fact]
    public async Task A_manual_change_made_during_the_outage_is_published_when_redis_returns()
    {
        await using var redis = await RedisServer.StartAsync();
        var replicas = await Replica.StartManyAsync(2, redis.ConnectionString, Prefix.New());
        await using var cleanup = new DisposeAll(replicas);

        await redis.KillAsync();
        await Eventually.TrueAsync(() => replicas.All(r => !r.Coordinator.IsRedisAvailable), "fallback");
        replicas[0].Breaker.Isolate("isolated during the outage");
        Assert.False(await replicas[1].Coordinator.DisableAsync(Replica.BreakerName)); // applied locally only, for now
        await Eventually.TrueAsync(() => replicas[1].State == BreakerState.Disabled, "applied locally");
        Assert.Equal(BreakerState.Isolated, replicas[0].State);

        await redis.RestartAsync();

        // Both changes are published on return; the last one to reach Redis wins everywhere.
        await Eventually.TrueAsync(() => replicas.All(r => r.Coordinator.IsRedisAvailable), "reconnected", seconds: 10);
        await Eventually.TrueAsync(() => replicas[0].State == replicas[1].State && replicas[0].State is BreakerState.Isolated or BreakerState.Disabled,
            "the replicas agree on the manual state");
    }

    [Fact]
    public async Task With_redis_down_from_the_start_breakers_work_locally_until_it_appears()
    {
        int port = RedisServer.FreePort();
        RedisServer.RequireBinary();
        var logs = new FakeLogCollector();
        await using var replica = await Replica.StartAsync($"127.0.0.1:{port},connectTimeout=500", Replica.Options(Prefix.New(), id: "early"),
            waitAvailable: false, logger: new FakeLogger(logs));

        await Eventually.TrueAsync(() => replica.Coordinator.UnavailableReason is not null && logs.Count > 0, "reported as unavailable");
        Assert.False(replica.Coordinator.IsRedisAvailable);
        Assert.Equal(5, replica.Fail(5));
        Assert.Equal(BreakerState.Open, replica.State);
        replica.Breaker.Reset();
        Assert.Equal(3, replica.Succeed(3));

        await using var redis = await RedisServer.StartOnPortAsync(port);
        await Eventually.TrueAsync(() => replica.Coordinator.IsRedisAvailable, "connected once Redis appears", seconds: 15);
        Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 2001); // unavailable: logged once, however many retries
        Assert.Contains(logs.GetSnapshot(), r => r.Id.Id == 2003);
    }

    [Fact]
    public async Task A_slow_redis_adds_no_latency_to_calls_and_replicas_fall_back_then_recover()
    {
        await using var redis = await RedisServer.StartAsync();
        var replicas = await Replica.StartManyAsync(2, redis.ConnectionString, Prefix.New());
        await using var cleanup = new DisposeAll(replicas);
        await using var admin = await redis.ConnectAdminAsync();

        var sleeping = admin.GetServer(redis.Endpoint).ExecuteAsync("DEBUG", "SLEEP", "2"); // blocks the whole server 2 s
        var latencies = new List<double>();
        var window = Stopwatch.StartNew();
        int i = 0;
        while (window.Elapsed < TimeSpan.FromSeconds(1.5))
        {
            long start = Stopwatch.GetTimestamp();
            if (replicas[0].Breaker.TryAcquire(out var permit))
            {
                permit.RecordSuccess();
            }

            if (++i % 200 == 0)
            {
                // Transitions too: their sharing is queued, never awaited by the caller.
                if (replicas[0].State == BreakerState.Isolated)
                {
                    replicas[0].Breaker.Reset();
                }
                else
                {
                    replicas[0].Breaker.Isolate();
                }
            }

            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            if (i % 50 == 0)
            {
                await Task.Delay(1);
            }
        }

        latencies.Sort();
        string report = string.Create(CultureInfo.InvariantCulture,
            $"{latencies.Count} calls during DEBUG SLEEP 2: p50 {latencies[latencies.Count / 2] * 1000:0.0} us, p99 {latencies[(int)(latencies.Count * 0.99)] * 1000:0.0} us, max {latencies[^1]:0.00} ms");
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "fusebox-redis-slow.txt"), report + Environment.NewLine);
        Assert.True(latencies[^1] < 250, report); // the server sleeps 2 s and the operation timeout is 500 ms

        await Eventually.TrueAsync(() => replicas.All(r => !r.Coordinator.IsRedisAvailable), "a 2 s stall is an outage (500 ms timeout)");
        await sleeping;
        await Eventually.TrueAsync(() => replicas.All(r => r.Coordinator.IsRedisAvailable), "back after the stall", seconds: 10);
        await Eventually.TrueAsync(() => replicas[1].State == replicas[0].State, "the manual changes made during the stall are reconciled");
    }

    [Fact]
    public async Task The_outage_is_counted_gauged_and_logged_once()
    {
        await using var redis = await RedisServer.StartAsync();
        var logs = new FakeLogCollector();
        await using var replica = await Replica.StartAsync(redis.ConnectionString, Replica.Options(Prefix.New(), id: "r1"), logger: new FakeLogger(logs));
        using var errors = new MetricCollector<long>(replica.Registry.Metrics.Meter, "fusebox.redis.errors");
        using var fallback = new MetricCollector<int>(replica.Registry.Metrics.Meter, "fusebox.redis.local_fallback");
        fallback.RecordObservableInstruments();
        Assert.Equal(0, fallback.LastMeasurement!.Value);

        await redis.KillAsync();
        await Eventually.TrueAsync(() => errors.GetMeasurementSnapshot().Count >= 3, "several failed attempts, each counted");
        fallback.RecordObservableInstruments();
        Assert.Equal(1, fallback.LastMeasurement!.Value);
        Assert.True(logs.GetSnapshot().Count(r => r.Id.Id == 2001 && r.Level == LogLevel.Warning) == 1,
            string.Join("\n", logs.GetSnapshot().Select(r => $"{r.Id} {r.Level} {r.Message}")));

        await redis.RestartAsync();
        await Eventually.TrueAsync(() => replica.Coordinator.IsRedisAvailable, "back", seconds: 10);
        fallback.RecordObservableInstruments();
        Assert.Equal(0, fallback.LastMeasurement!.Value);
        Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 2002);
        Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 2001);
    }

    [Fact]
    public async Task A_held_half_open_round_is_released_to_local_probing_when_redis_goes_away()
    {
        await using var redis = await RedisServer.StartAsync();
        var replicas = await Replica.StartManyAsync(2, redis.ConnectionString, Prefix.New(), SharingMode.Any);
        await using var cleanup = new DisposeAll(replicas);
        replicas[0].Fail(5);
        await Eventually.AllInStateAsync(replicas, BreakerState.HalfOpen); // after the 400 ms shared break
        Assert.False(replicas[1].Breaker.TryAcquire(out _)); // held: no permit granted yet

        await redis.KillAsync();
        await Eventually.TrueAsync(() => !replicas[1].Coordinator.IsRedisAvailable, "fallback");

        Assert.True(replicas[1].Breaker.TryAcquire(out var probe)); // probes on its own now
        Assert.True(probe.IsProbe);
        Assert.Contains("redis unavailable", replicas[1].Breaker.Snapshot().LastReasonDescription, StringComparison.Ordinal);
        probe.RecordSuccess();
        replicas[1].Succeed(2);
        Assert.Equal(BreakerState.Closed, replicas[1].State);
    }
}
