using System.Globalization;

namespace Fusebox.Redis.Tests.Support;

/// <summary>
/// One master, one replica (<c>--replicaof</c>) and one sentinel (<c>redis-server sentinel.conf --sentinel</c>, which
/// the Debian redis-server binary supports without the redis-sentinel package) on free loopback ports; quorum 1 and
/// <c>down-after-milliseconds</c> 1000, so a failover is over in a few seconds. Every process is stopped by id.
/// </summary>
internal sealed class SentinelSet(RedisServer master, RedisServer replica, RedisServer sentinel) : IAsyncDisposable
{
    public const string ServiceName = "mymaster";

    /// <summary>The master at start (after a failover, a replica or dead).</summary>
    public RedisServer Master => master;

    /// <summary>The replica at start (after a failover, the master).</summary>
    public RedisServer Replica => replica;

    public RedisServer Sentinel => sentinel;

    /// <summary>How a user configures StackExchange.Redis for Sentinel: the sentinel endpoint and the service name.</summary>
    public string ConnectionString => $"{Sentinel.Endpoint},serviceName={ServiceName},connectTimeout=2000,connectRetry=1";

    public static async Task<SentinelSet> StartAsync()
    {
        ReserveThreadsForSentinelClients();
        var started = new List<RedisServer>();
        try
        {
            var master = await RedisServer.StartAsync();
            started.Add(master);
            string masterPort = master.Port.ToString(CultureInfo.InvariantCulture);
            var replica = await RedisServer.StartAsync(["--replicaof", "127.0.0.1", masterPort]);
            started.Add(replica);
            await WaitForAsync(() => RawCommand.TrySendAsync(replica.Port, "INFO", "replication"), "master_link_status:up", "the replica's link to the master");
            var sentinel = await RedisServer.StartAsync(["--sentinel"], _ => $"""
                sentinel monitor {ServiceName} 127.0.0.1 {masterPort} 1
                sentinel down-after-milliseconds {ServiceName} 1000
                sentinel failover-timeout {ServiceName} 10000
                sentinel parallel-syncs {ServiceName} 1

                """);
            started.Add(sentinel);
            var set = new SentinelSet(master, replica, sentinel);
            await WaitForAsync(() => RawCommand.TrySendAsync(sentinel.Port, "SENTINEL", "REPLICAS", ServiceName),
                $"127.0.0.1\nport\n{replica.Port}", "the sentinel to discover the replica");
            return set;
        }
        catch
        {
            foreach (var server in started)
            {
                await server.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>
    /// StackExchange.Redis's Sentinel support blocks thread-pool threads: when a connection fails or is restored around a
    /// failover, <c>SwitchPrimary</c> asks the sentinels for the master with synchronous calls inside a PLINQ query
    /// (StackExchange/StackExchange.Redis#2790, open). On this 2-core machine the pool starts with 2 threads and adds
    /// about one per half second while starved, and three replicas' connections block several each: measured here, a
    /// queued work item waited 0.9–6.4 s in every failover run, during which no coordinator's loop ran, so a trip made
    /// then reached the other replicas more than 5 s late (this test failed 2 of 8 clean-clone CI runs on 2759e91).
    /// Raising the pool's minimum, as StackExchange.Redis advises for bursts of blocking work and as
    /// docs/distributed.md advises Sentinel users, gives those calls threads at once: no wait over 100 ms in 6 runs.
    /// </summary>
    public static void ReserveThreadsForSentinelClients()
    {
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), io);
        ThreadPoolStallProbe.EnsureStarted();
    }

    /// <summary>The master's port as the sentinel reports it (SENTINEL GET-MASTER-ADDR-BY-NAME), 0 if it did not answer.</summary>
    public async Task<int> CurrentMasterPortAsync()
    {
        var reply = (await RawCommand.TrySendAsync(Sentinel.Port, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", ServiceName)).Split('\n');
        return reply.Length > 1 ? int.Parse(reply[1], CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>Waits until the sentinel reports the replica as the master and the replica says it is one.</summary>
    public async Task WaitPromotedAsync(double seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (await CurrentMasterPortAsync() != Replica.Port ||
               !(await RawCommand.TrySendAsync(Replica.Port, "INFO", "replication")).Contains("role:master", StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"the sentinel did not promote the replica within {seconds} s");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Waits until the old master, still running, has been turned into a replica by the sentinel.</summary>
    public Task WaitDemotedAsync() =>
        WaitForAsync(() => RawCommand.TrySendAsync(Master.Port, "INFO", "replication"), "role:slave", "the sentinel to demote the old master", seconds: 30);

    private static async Task WaitForAsync(Func<Task<string>> read, string expected, string what, double seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        string last;
        while (!(last = await read()).Contains(expected, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}: {last}");
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Sentinel.DisposeAsync();
        await Replica.DisposeAsync();
        await Master.DisposeAsync();
    }
}
