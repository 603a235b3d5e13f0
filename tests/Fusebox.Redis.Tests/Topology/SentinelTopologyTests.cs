using System.Diagnostics;
using Fusebox.Redis.Tests.Support;
using static Fusebox.Redis.Tests.Topology.TopologyBreakers;

namespace Fusebox.Redis.Tests.Topology;

/// <summary>
/// Fusebox.Redis behind Redis Sentinel (one master, one replica, one sentinel), configured the way a user would: the
/// sentinel endpoint and <c>serviceName=mymaster</c>; StackExchange.Redis follows the master across a failover.
/// </summary>
public class SentinelTopologyTests
{
    private static readonly string[] s_breaker = [Replica.BreakerName];

    [Fact]
    public async Task After_a_sentinel_failover_the_replicas_keep_sharing_on_the_new_master()
    {
        var startWatch = Stopwatch.StartNew();
        await using var set = await SentinelSet.StartAsync();
        ThreadPoolStallProbe.Reset();
        Report($"sentinel: master, replica and sentinel started and linked in {startWatch.ElapsedMilliseconds} ms");
        string prefix = Prefix.New();
        var replicas = await Replica.StartManyAsync(3, set.ConnectionString, prefix, SharingMode.Any);
        await using var cleanup = new DisposeAll(replicas);
        replicas[0].Breaker.Isolate("before the failover");
        await Eventually.AllInStateAsync(replicas, BreakerState.Isolated);
        await Replication.WaitCaughtUpAsync(set.Master);

        var failover = Stopwatch.StartNew();
        Assert.Equal("OK", await RawCommand.SendAsync(set.Sentinel.Port, "SENTINEL", "FAILOVER", SentinelSet.ServiceName));
        replicas[1].Breaker.Reset("during the failover"); // goes wherever the client still writes
        await WhileCallingAsync(replicas, set.WaitPromotedAsync());
        var promoted = failover.Elapsed;

        // The old master stays a writable master until the sentinel demotes it (its role is checked every few seconds);
        // what it accepted meanwhile is replaced by the new master's data set. Then every replica converges on that.
        await WhileCallingAsync(replicas, set.WaitDemotedAsync());
        var demoted = failover.Elapsed;
        await WhileCallingAsync(replicas, AgreeWithAsync(replicas, set.Replica.Port, prefix));
        var converged = failover.Elapsed;

        replicas[0].Breaker.Isolate("after the failover");
        var isolated = await ConvergeAsync(replicas, Replica.BreakerName, BreakerState.Isolated);
        replicas[1].Breaker.Reset("after the failover");
        await ConvergeAsync(replicas, Replica.BreakerName, BreakerState.Closed);
        Assert.Equal(5, replicas[2].Fail(5));
        var trip = await ConvergeAsync(replicas, Replica.BreakerName, BreakerState.Open);
        Report($"sentinel: SENTINEL FAILOVER promoted the replica after {promoted.TotalMilliseconds:0.0} ms, the old master was demoted after " +
            $"{demoted.TotalMilliseconds:0.0} ms, every replica agreed with the new master after {converged.TotalMilliseconds:0.0} ms; " +
            $"then an isolation reached every replica in {isolated.TotalMilliseconds:0.0} ms and a trip in {trip.TotalMilliseconds:0.0} ms");

        // Those writes went to the promoted node: the connection followed the sentinel.
        Assert.Equal("1", await RawCommand.SendAsync(set.Replica.Port, "HGET", StateKey(prefix, Replica.BreakerName), "s"));
        AssertThreadPoolKeptUp();
    }

    /// <summary>Issue 14, defect 1 for real: the master takes an isolation that its replica never receives (the replica
    /// is frozen and its link cut just before the write), dies, and the sentinel promotes the replica, which holds the
    /// state one generation older under the same epoch. Another replica resets: every replica converges on it.</summary>
    [Fact]
    public async Task A_write_lost_by_a_real_failover_and_a_reset_written_over_it_converge_every_replica()
    {
        await using var set = await SentinelSet.StartAsync();
        ThreadPoolStallProbe.Reset();
        string prefix = Prefix.New();
        var replicas = await Replica.StartManyAsync(3, set.ConnectionString, prefix);
        await using var cleanup = new DisposeAll(replicas);
        string key = StateKey(prefix, Replica.BreakerName);
        replicas[0].Breaker.Isolate("first write");
        replicas[0].Breaker.Reset("second write");
        await Eventually.TrueAsync(() => replicas.All(r => r.Status.ClusterGeneration == 2 && r.State == BreakerState.Closed), "generation 2 everywhere");
        await Replication.WaitCaughtUpAsync(set.Master);

        int replicaPid = set.Replica.ProcessId!.Value;
        await ProcessSignals.SuspendAsync(replicaPid); // it can neither read what is on the link nor reconnect
        var outage = Stopwatch.StartNew();
        try
        {
            await RawCommand.SendAsync(set.Master.Port, "CLIENT", "KILL", "TYPE", "replica"); // nothing written after this reaches it
            replicas[0].Breaker.Isolate("the write the failover loses");
            await Eventually.AllInStateAsync(replicas, BreakerState.Isolated);
            Assert.Equal("3", await RawCommand.SendAsync(set.Master.Port, "HGET", key, "g"));
            await set.Master.KillAsync();
        }
        finally
        {
            await ProcessSignals.ResumeAsync(replicaPid);
        }

        // The write is lost for real: the node about to be promoted has generation 2, closed, same epoch.
        Assert.Equal("2", await RawCommand.SendAsync(set.Replica.Port, "HGET", key, "g"));
        Assert.Equal("0", await RawCommand.SendAsync(set.Replica.Port, "HGET", key, "s"));
        await WhileCallingAsync(replicas, set.WaitPromotedAsync());
        var promoted = outage.Elapsed;

        replicas[1].Breaker.Reset("after the failover");
        await WhileCallingAsync(replicas, ConvergeAsync(replicas, Replica.BreakerName, BreakerState.Closed, seconds: 15));
        var converged = outage.Elapsed;
        Report($"sentinel: master killed with a lost write; replica promoted after {promoted.TotalMilliseconds:0.0} ms; " +
            $"every replica closed on the reset written over it after {converged.TotalMilliseconds:0.0} ms");

        // Nobody goes back to the lost isolation: the replicas that adopted it resolved the divergence.
        await Eventually.StaysTrueAsync(() => replicas.All(r => r.State == BreakerState.Closed), "the reset holds", seconds: 1.5);
        Assert.Equal("0", await RawCommand.SendAsync(set.Replica.Port, "HGET", key, "s"));
        AssertThreadPoolKeptUp();
    }

    /// <summary>The bounds above are on propagation, which needs the thread pool: through a failover (when the client's
    /// Sentinel support blocks pool threads) a queued work item never waited a second. Without
    /// <see cref="SentinelSet.ReserveThreadsForSentinelClients"/> it waited 0.9–6.4 s in every run.</summary>
    private static void AssertThreadPoolKeptUp() =>
        Assert.True(ThreadPoolStallProbe.WorstWait < TimeSpan.FromSeconds(1), ThreadPoolStallProbe.Describe());

    /// <summary>Waits until every replica is connected and holds the generation and state the (new) master holds.</summary>
    private static async Task AgreeWithAsync(Replica[] replicas, int port, string prefix, double seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var fields = (await RawCommand.SendAsync(port, "HMGET", StateKey(prefix, Replica.BreakerName), "g", "s")).Split('\n');
            if (replicas.All(r => r.Coordinator.IsRedisAvailable && $"{r.Status.ClusterGeneration}" == fields[0] && $"{(int)r.State}" == fields[1]))
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"every replica agrees with the master's generation {fields[0]}, state {fields[1]}: " +
                string.Join(", ", replicas.Select(r => $"{r.Id} {r.State} generation {r.Status.ClusterGeneration}")));
            await Task.Delay(50);
        }
    }

    /// <summary>Keeps calling through every replica's breaker while <paramref name="wait"/> runs: the call path never throws.</summary>
    private static async Task WhileCallingAsync(Replica[] replicas, Task wait)
    {
        while (!wait.IsCompleted)
        {
            CallEverything(replicas, s_breaker);
            await Task.WhenAny(wait, Task.Delay(10));
        }

        await wait;
    }
}
