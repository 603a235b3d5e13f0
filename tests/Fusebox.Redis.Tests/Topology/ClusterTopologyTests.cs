using System.Diagnostics;
using Fusebox.Redis.Tests.Support;
using static Fusebox.Redis.Tests.Topology.TopologyBreakers;

namespace Fusebox.Redis.Tests.Topology;

/// <summary>
/// Fusebox.Redis on a real Redis Cluster (3 masters, each with one replica), configured the way a user would: the node
/// list in the connection string. Every key of a breaker carries its name as the hash tag (<c>prefix:{name}:...</c>),
/// so each breaker lives on one slot, and different breakers on different masters. The transitions are published
/// with classic PUBLISH from the scripts, which a cluster broadcasts to every node.
/// </summary>
public class ClusterTopologyTests
{
    // Slots 105, 8507 and 14370: one breaker on each master of a 3-master cluster (checked below, not assumed).
    private static readonly string[] s_names = ["orders", "payments", "inventory"];

    [Fact]
    public async Task Breakers_on_different_masters_share_trips_resets_and_isolation_through_cluster_pub_sub()
    {
        var startWatch = Stopwatch.StartNew();
        await using var cluster = await RedisCluster.StartAsync(masters: 3, replicasPerMaster: 1);
        Report($"cluster of 6 nodes created and healthy in {startWatch.ElapsedMilliseconds} ms");
        string prefix = Prefix.New();

        // The change log read every 30 s and the sweep every 5 min: within the 5 s the test waits, only pub/sub can carry a
        // transition to an idle replica.
        var replicas = await Replica.StartManyAsync(3, cluster.ConnectionString, prefix, SharingMode.Any,
            configure: o => (o.PollInterval, o.SweepInterval) = (TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5)));
        await using var cleanup = new DisposeAll(replicas);
        await AddAsync(replicas, s_names);
        var owners = await Task.WhenAll(s_names.Select(async n => (await cluster.MasterOfAsync(StateKey(prefix, n)))!));
        Assert.Equal(3, owners.Distinct().Count());

        Assert.Equal(5, Fail(replicas[0].Breaker("orders"), 5));
        Report($"cluster: an Any-mode trip reached every replica in {(await ConvergeAsync(replicas, "orders", BreakerState.Open)).TotalMilliseconds:0.0} ms");
        Assert.True(AllIn(replicas, "payments", BreakerState.Closed) && AllIn(replicas, "inventory", BreakerState.Closed), "other breakers unaffected");

        for (int i = 0; i < s_names.Length; i++)
        {
            string name = s_names[i];
            replicas[i].Breaker(name).Isolate("cluster test");
            var isolated = await ConvergeAsync(replicas, name, BreakerState.Isolated);
            replicas[(i + 1) % 3].Breaker(name).Reset("cluster test");
            var reset = await ConvergeAsync(replicas, name, BreakerState.Closed);
            Report($"cluster: {name} (on {owners[i].Endpoint}) isolation reached every replica in {isolated.TotalMilliseconds:0.0} ms, the reset in {reset.TotalMilliseconds:0.0} ms");
            foreach (var other in s_names.Where(n => n != name && n != "orders"))
            {
                Assert.True(AllIn(replicas, other, BreakerState.Closed), $"{other} is not affected by {name}: {Describe(replicas, other)}");
            }
        }

        // Each breaker's state is on the master of its slot: three masters hold Fusebox keys.
        for (int i = 0; i < s_names.Length; i++)
        {
            Assert.Equal("1", await RawCommand.SendAsync(owners[i].Port, "EXISTS", StateKey(prefix, s_names[i])));
        }
    }

    [Fact]
    public async Task A_killed_master_fails_over_to_its_replica_and_every_breaker_is_shared_again_with_its_state()
    {
        await using var cluster = await RedisCluster.StartAsync(masters: 3, replicasPerMaster: 1);
        string prefix = Prefix.New();
        var replicas = await Replica.StartManyAsync(3, cluster.ConnectionString, prefix, SharingMode.Any);
        await using var cleanup = new DisposeAll(replicas);
        await AddAsync(replicas, s_names);
        var victim = (await cluster.MasterOfAsync(StateKey(prefix, "payments")))!;
        replicas[0].Breaker("payments").Isolate("before the failover");
        await ConvergeAsync(replicas, "payments", BreakerState.Isolated);
        await Replication.WaitCaughtUpAsync(victim);

        var outage = Stopwatch.StartNew();
        await victim.KillAsync();
        TimeSpan? promoted = null;
        int admitted = 0;
        while (promoted is null || !replicas.All(r => r.Coordinator.IsRedisAvailable))
        {
            Assert.True(outage.Elapsed < TimeSpan.FromSeconds(20), "failover and reconnection within 20 s: " + Describe(replicas, "payments"));
            admitted += CallEverything(replicas, s_names); // the call path never throws, whatever Redis does
            if (promoted is null && await cluster.MasterOfAsync(StateKey(prefix, "payments")) is { } owner && owner != victim)
            {
                promoted = outage.Elapsed;
            }

            await Task.Delay(10);
        }

        var shared = outage.Elapsed;
        Report($"cluster: master killed; replica promoted after {promoted!.Value.TotalMilliseconds:0.0} ms, every coordinator shared again after {shared.TotalMilliseconds:0.0} ms");
        Assert.True(admitted > 0);

        // The isolation made before the kill was replicated: it survives on the promoted node, and every replica holds it.
        await Eventually.StaysTrueAsync(() => AllIn(replicas, "payments", BreakerState.Isolated), "the isolation survives the failover", seconds: 0.3);
        replicas[1].Breaker("payments").Reset("after the failover");
        await ConvergeAsync(replicas, "payments", BreakerState.Closed);
        Assert.Equal(5, Fail(replicas[2].Breaker("payments"), 5));
        Report($"cluster: after the failover a trip on the promoted master's slot reached every replica in {(await ConvergeAsync(replicas, "payments", BreakerState.Open)).TotalMilliseconds:0.0} ms");
        replicas[2].Breaker("orders").Isolate("another master");
        await ConvergeAsync(replicas, "orders", BreakerState.Isolated);

        // The killed master restarts with its nodes.conf and rejoins as a replica of the promoted one.
        await victim.RestartAsync();
        await cluster.WaitHealthyAsync(TimeSpan.FromSeconds(20));
        Assert.Contains("role:slave", await RawCommand.SendAsync(victim.Port, "INFO", "replication"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_replicas_a_killed_master_does_not_stop_transitions_on_the_other_masters_and_its_breakers_are_shared_again_when_it_restarts()
    {
        // cluster-require-full-coverage no: the other masters keep serving their slots while one is down.
        await using var cluster = await RedisCluster.StartAsync(masters: 3, replicasPerMaster: 0, "--cluster-require-full-coverage", "no");
        string prefix = Prefix.New();
        var replicas = await Replica.StartManyAsync(3, cluster.ConnectionString, prefix, SharingMode.Any);
        await using var cleanup = new DisposeAll(replicas);
        await AddAsync(replicas, s_names);
        var victim = (await cluster.MasterOfAsync(StateKey(prefix, "payments")))!;
        Assert.NotEqual(victim, await cluster.MasterOfAsync(StateKey(prefix, "orders")));

        var outage = Stopwatch.StartNew();
        await victim.KillAsync();
        await Task.Delay(RedisCluster.NodeTimeoutMs * 2); // the survivors flag it failed and serve their own slots again

        // Only the lost slot's breaker runs locally (its keys fail while Redis answers); the others stay shared.
        await Eventually.TrueAsync(() => replicas.All(r => r.Coordinator.GetStatus("payments")!.LocalFallback), "the lost slot's breaker runs locally",
            seconds: 10);
        int admitted = 0, samples = 0, available = 0, sharedOrders = 0;
        for (var sampling = Stopwatch.StartNew(); sampling.Elapsed < TimeSpan.FromSeconds(1); samples++)
        {
            admitted += CallEverything(replicas, s_names);
            available += replicas.Count(r => r.Coordinator.IsRedisAvailable);
            sharedOrders += replicas.Count(r => !r.Coordinator.GetStatus("orders")!.LocalFallback);
            await Task.Delay(10);
        }

        Report($"cluster without replicas: with one master down, the coordinators reported Redis available in {100.0 * available / (samples * replicas.Length):0}% of samples");
        Assert.Equal(samples * replicas.Length, available);
        Assert.Equal(samples * replicas.Length, sharedOrders);
        replicas[0].Breaker("orders").Isolate("on a surviving master");
        var isolated = await ConvergeAsync(replicas, "orders", BreakerState.Isolated, seconds: 10);
        Report($"cluster without replicas: {outage.ElapsedMilliseconds} ms after a master was killed, an isolation on a surviving master reached every replica in {isolated.TotalMilliseconds:0.0} ms");
        Assert.Equal(5, Fail(replicas[1].Breaker("payments"), 5)); // its slot is gone: a local trip, no caller exception
        await Eventually.StaysTrueAsync(() => replicas[0].Breaker("payments").State == BreakerState.Closed, "the lost slot's breaker is local", seconds: 0.3);
        admitted += CallEverything(replicas, s_names);
        Assert.True(admitted > 0);

        var restart = Stopwatch.StartNew();
        await victim.RestartAsync(); // with its nodes.conf: it serves its slots again
        await cluster.WaitHealthyAsync(TimeSpan.FromSeconds(20));
        replicas[2].Breaker("payments").Isolate("the master is back");
        await ConvergeAsync(replicas, "payments", BreakerState.Isolated, seconds: 10);
        Report($"cluster without replicas: the restarted master's breaker was shared again {restart.ElapsedMilliseconds} ms after the restart");
        Assert.Equal("3", await RawCommand.SendAsync(victim.Port, "HGET", StateKey(prefix, "payments"), "s"));
    }

    private static int Fail(CircuitBreaker breaker, int n)
    {
        int ran = 0;
        for (int i = 0; i < n && breaker.TryAcquire(out var permit); i++)
        {
            permit.RecordFailure(new DependencyDownException());
            ran++;
        }

        return ran;
    }
}
