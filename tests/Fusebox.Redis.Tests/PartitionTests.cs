using System.Collections.Concurrent;
using System.Diagnostics;
using Fusebox.Redis.Tests.Support;
using static Fusebox.Redis.Tests.Topology.TopologyBreakers;

namespace Fusebox.Redis.Tests;

/// <summary>
/// A network partition: r1 and r2 reach Redis directly, r3 through a <see cref="TcpForwarder"/> that the test cuts. The
/// cut-off replica acts alone and says so, the others keep sharing, and when the partition heals every replica converges
/// by the reconciliation rules (docs/distributed.md, "Merge rules"). Callers never see an exception, on any replica.
/// </summary>
public class PartitionTests
{
    [Fact]
    public async Task A_partitioned_replica_acts_alone_while_the_others_share_and_adopts_their_isolation_when_it_heals()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var fleet = await Fleet.StartAsync(redis, SharingMode.Quorum);
        var (r1, r2, r3, forwarder) = (fleet.Replicas[0], fleet.Replicas[1], fleet.Replicas[2], fleet.Forwarder);

        await fleet.CutR3OffAndFailItsDependencyAsync();
        Assert.True(r3.Status.LocalFallback);
        Assert.Equal(StateScope.Local, r3.Status.Scope);

        r1.Breaker.Isolate("isolated during the partition");
        await Eventually.TrueAsync(() => r2.State == BreakerState.Isolated, "r2 adopts r1's isolation");
        await Eventually.StaysTrueAsync(() => r3.State == BreakerState.Open && !r3.Coordinator.IsRedisAvailable &&
            r1.Coordinator.IsRedisAvailable && r2.Coordinator.IsRedisAvailable, "r3 does not see it; r1 and r2 stay shared");
        Assert.Equal(BreakerState.Closed, r3.Status.ClusterState); // the last shared state r3 knows

        // Healed: r3 diverged (its local trip), the shared state is isolated: manual and more severe, so r3 adopts it.
        var healed = Stopwatch.StartNew();
        forwarder.Heal();
        await Eventually.TrueAsync(() => fleet.Replicas.All(r => r.Coordinator.IsRedisAvailable && r.State == BreakerState.Isolated),
            $"every replica isolated and shared after the heal: {fleet.Describe()}", seconds: 20);
        var converged = healed.Elapsed;
        long generation = r1.Status.ClusterGeneration!.Value;
        Assert.All(fleet.Replicas, r => Assert.Equal(generation, r.Status.ClusterGeneration));
        Assert.Equal(TransitionReason.External, r3.Breaker.Snapshot().LastReason);
        Report($"partition (quorum): r3 cut off for {forwarder.Refused} refused reconnections; after the heal every replica isolated and shared in {converged.TotalMilliseconds:0} ms");

        await fleet.StopTrafficAsync();
        Assert.Empty(fleet.Unexpected);
    }

    [Fact]
    public async Task An_any_mode_trip_made_alone_during_a_partition_is_pushed_to_the_others_when_it_heals()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var fleet = await Fleet.StartAsync(redis, SharingMode.Any);
        var (r1, r2, r3) = (fleet.Replicas[0], fleet.Replicas[1], fleet.Replicas[2]);
        int opened = 0; // r1's and r2's adoptions of an open state (the pushed break is short: the state may be gone by the next look)
        foreach (var other in new[] { r1, r2 })
        {
            other.Breaker.StateChanged += (_, e) =>
            {
                if (e.NewState == BreakerState.Open && e.Reason == TransitionReason.External)
                {
                    Interlocked.Increment(ref opened);
                }
            };
        }

        await fleet.CutR3OffAndFailItsDependencyAsync();
        await Eventually.StaysTrueAsync(() => r1.State == BreakerState.Closed && r2.State == BreakerState.Closed,
            "an Any-mode trip cannot reach the others through the partition");

        // Healed: r3 diverged with an Any-mode open, more severe than the closed shared state and shared by nature:
        // PushLocal writes it back (Transition restore, with the break r3 has left), and r1 and r2 adopt it.
        fleet.FailOnR3 = false;
        var healed = Stopwatch.StartNew();
        fleet.Forwarder.Heal();
        await Eventually.TrueAsync(() => Volatile.Read(ref opened) >= 2, $"r1 and r2 adopt r3's open after the heal: {fleet.Describe()}", seconds: 20);
        var pushed = healed.Elapsed;
        await Eventually.TrueAsync(() => r3.Coordinator.IsRedisAvailable, "r3 shared again (it marks itself available once its recovery, which pushed the open, is done)");
        Assert.StartsWith("cluster: replica r3 was open when Redis came back", r1.Breaker.Snapshot().LastReasonDescription ?? "", StringComparison.Ordinal);

        // Then the shared break (r3's 400 ms, on r3's clock that the test never advances) runs out, the cluster half-opens
        // and the successful traffic on r1 and r2 closes it for everyone.
        await Eventually.TrueAsync(() => fleet.Replicas.All(r => r.State == BreakerState.Closed), $"every replica closed again: {fleet.Describe()}", seconds: 20);
        Report($"partition (any): r3's trip reached r1 and r2 {pushed.TotalMilliseconds:0} ms after the heal; every replica closed again after {healed.ElapsedMilliseconds} ms");

        await fleet.StopTrafficAsync();
        Assert.Empty(fleet.Unexpected);
    }

    /// <summary>Three replicas, r3 behind the forwarder, and a call loop through every one of them for the whole test.</summary>
    private sealed class Fleet : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private Task _traffic = Task.CompletedTask;
        private long _calls;
        private volatile bool _failOnR3;

        private Fleet(Replica[] replicas, TcpForwarder forwarder) => (Replicas, Forwarder) = (replicas, forwarder);

        public Replica[] Replicas { get; }

        /// <summary>Between r3 and Redis.</summary>
        public TcpForwarder Forwarder { get; }

        /// <summary>Exceptions other than the dependency's own and the breaker's rejection: none is allowed.</summary>
        public ConcurrentQueue<Exception> Unexpected { get; } = new();

        public bool FailOnR3
        {
            get => _failOnR3;
            set => _failOnR3 = value;
        }

        public static async Task<Fleet> StartAsync(RedisServer redis, SharingMode mode)
        {
            var forwarder = new TcpForwarder(redis.Port);
            ThreadPoolStallProbe.EnsureStarted(); // a starved pool delays convergence whatever Fusebox does: the failure messages say so
            string prefix = Prefix.New();
            var replicas = new Replica[3];
            for (int i = 0; i < replicas.Length; i++)
            {
                string connection = i < 2 ? redis.ConnectionString : $"{forwarder.Endpoint},connectTimeout=2000,connectRetry=1";
                replicas[i] = await Replica.StartAsync(connection, Replica.Options(prefix, mode, $"r{i + 1}"));
            }

            var fleet = new Fleet(replicas, forwarder);
            fleet._traffic = Task.Run(fleet.CallAsync);
            await Eventually.TrueAsync(() => Interlocked.Read(ref fleet._calls) > 300, "traffic flowing on every replica");
            return fleet;
        }

        /// <summary>Partitions r3 from Redis, and makes its dependency fail (only r3 sees it): it trips on its own.</summary>
        public async Task CutR3OffAndFailItsDependencyAsync()
        {
            Forwarder.Cut();
            FailOnR3 = true;
            await Eventually.TrueAsync(() => !Replicas[2].Coordinator.IsRedisAvailable, "r3 notices the partition");
            await Eventually.TrueAsync(() => Replicas[2].State == BreakerState.Open, "r3 trips on its own");
        }

        public string Describe() => string.Join("; ", Replicas.Select(r => $"{r.Id}: {r.Status}")) + $"; {ThreadPoolStallProbe.Describe()}";

        public async Task StopTrafficAsync()
        {
            await _stop.CancelAsync();
            await _traffic;
        }

        private async Task CallAsync()
        {
            // Bounded by the test (stopped at its end) and by a minute in any case.
            for (var watch = Stopwatch.StartNew(); !_stop.IsCancellationRequested && watch.Elapsed < TimeSpan.FromMinutes(1);)
            {
                for (int i = 0; i < Replicas.Length; i++)
                {
                    bool fail = i == 2 && _failOnR3;
                    try
                    {
                        await Replicas[i].Breaker.ExecuteAsync(_ => fail ? throw new DependencyDownException() : ValueTask.FromResult(42));
                        Interlocked.Increment(ref _calls);
                    }
                    catch (Exception ex) when (ex is CircuitOpenException or DependencyDownException)
                    {
                    }
                    catch (Exception ex)
                    {
                        Unexpected.Enqueue(ex);
                    }
                }

                await Task.Delay(1);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await StopTrafficAsync();
            foreach (var replica in Replicas)
            {
                await replica.DisposeAsync();
            }

            await Forwarder.DisposeAsync();
            _stop.Dispose();
        }
    }
}
