using System.Diagnostics;
using Fusebox.Redis.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using static Fusebox.Redis.Tests.Topology.TopologyBreakers;

namespace Fusebox.Redis.Tests.Topology;

/// <summary>
/// The change log (<c>&lt;prefix&gt;:changes</c>, no hash tag: its slot depends on the prefix) on a Redis Cluster master of
/// its own, with no replicas, killed while the breaker's master and the rest of the cluster answer: the log's problem
/// only. Each replica warns once (2015), stays available, and transitions still arrive by pub/sub; when the master
/// restarts (with its nodes.conf, empty: no persistence) the log is read again, from a new anchor (2016).
/// </summary>
public class ChangeLogNodeTests
{
    [Fact]
    public async Task The_change_logs_master_down_is_warned_once_pub_sub_still_carries_transitions_and_the_log_is_read_again_after_its_restart()
    {
        ThreadPoolStallProbe.EnsureStarted(); // ConvergeAsync's failure message reports the pool's worst wait
        await using var cluster = await RedisCluster.StartAsync(masters: 3, replicasPerMaster: 0, "--cluster-require-full-coverage", "no");
        var (prefix, logMaster) = await PrefixWithTheLogAloneAsync(cluster);
        var logs = Enumerable.Range(0, 3).Select(_ => new FakeLogCollector()).ToArray();
        var replicas = new Replica[3];
        for (int i = 0; i < replicas.Length; i++)
        {
            // The sweep every 5 min: within the test's waits only pub/sub (log down) or the log (pub/sub off) carries a change.
            var options = Replica.Options(prefix, SharingMode.Any, $"r{i + 1}");
            options.SweepInterval = TimeSpan.FromMinutes(5);
            replicas[i] = await Replica.StartAsync(cluster.ConnectionString, options, logger: new FakeLogger(logs[i]));
        }

        await using var cleanup = new DisposeAll(replicas);
        string[] names = [Replica.BreakerName];

        var outage = Stopwatch.StartNew();
        await logMaster.KillAsync();
        int admitted = 0;
        while (!logs.All(l => Count(l, 2015) > 0))
        {
            Assert.True(outage.Elapsed < TimeSpan.FromSeconds(10), "every replica warns that the log is unavailable: " + Events(logs));
            Assert.All(replicas, r => Assert.True(r.Coordinator.IsRedisAvailable, $"{r.Id}: Redis stays available"));
            admitted += CallEverything(replicas, names); // never throws
            await Task.Delay(10);
        }

        var warned = outage.Elapsed;
        replicas[0].Breaker.Isolate("the log's master is down");
        var isolated = await ConvergeAsync(replicas, Replica.BreakerName, BreakerState.Isolated);
        await Eventually.StaysTrueAsync(() => replicas.All(r => r.Coordinator.IsRedisAvailable && !r.Status.LocalFallback),
            "Redis and the breaker stay shared while only the log is down", seconds: 1);
        Assert.All(logs, l => Assert.Equal(1, Count(l, 2015))); // once per episode, however many reads and appends failed
        Report($"change log's master down: warning 2015 on every replica {warned.TotalMilliseconds:0} ms after the kill; an isolation reached every replica by pub/sub in {isolated.TotalMilliseconds:0.0} ms");

        var restart = Stopwatch.StartNew();
        await logMaster.RestartAsync(); // with its nodes.conf: it serves the log's slot again, empty
        await cluster.WaitHealthyAsync(TimeSpan.FromSeconds(20));
        await Eventually.TrueAsync(() => logs.All(l => Count(l, 2016) > 0), "every replica finds the log's entries gone and reads it again: " + Events(logs),
            seconds: 10);
        var reread = restart.Elapsed;

        // The log carries changes again: r2 adopts a reset without pub/sub.
        replicas[1].Coordinator.PubSubEnabled = false;
        replicas[2].Breaker.Reset("the log is back");
        var reset = await ConvergeAsync(replicas, Replica.BreakerName, BreakerState.Closed);
        Assert.All(logs, l => Assert.Equal(1, Count(l, 2015)));
        admitted += CallEverything(replicas, names);
        Assert.True(admitted > 0);
        Report($"change log's master restarted: every replica read the log again {reread.TotalMilliseconds:0} ms after the restart (cluster healthy included); a reset reached a replica without pub/sub in {reset.TotalMilliseconds:0.0} ms");
    }

    /// <summary>A prefix whose change log lives on a master that holds neither the breaker's slot nor the events
    /// channel's (however the client routes the subscription), and that master.</summary>
    private static async Task<(string Prefix, RedisServer LogMaster)> PrefixWithTheLogAloneAsync(RedisCluster cluster)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            string prefix = Prefix.New();
            var log = (await cluster.MasterOfAsync(prefix + ":changes"))!;
            if (log != await cluster.MasterOfAsync(StateKey(prefix, Replica.BreakerName)) && log != await cluster.MasterOfAsync(prefix + ":events"))
            {
                return (prefix, log);
            }
        }

        throw new InvalidOperationException("no prefix out of 100 put the change log on a master of its own"); // about (4/9)^100
    }

    private static int Count(FakeLogCollector logs, int id) => logs.GetSnapshot().Count(r => r.Id.Id == id);

    private static string Events(FakeLogCollector[] logs) => string.Join("; ", logs.Select((l, i) =>
        $"r{i + 1}: " + string.Join(", ", l.GetSnapshot().Where(r => r.Level >= LogLevel.Information).Select(r => r.Id.Id))));
}
