using System.Diagnostics;

namespace Fusebox.Redis.Tests.Support;

/// <summary>
/// A Redis Cluster of private <see cref="RedisServer"/> nodes on free loopback ports, created with
/// <c>redis-cli --cluster create</c> (masters first, then one replica per master if asked). A short
/// <c>cluster-node-timeout</c> (1 s) keeps a failover within a few seconds. Every node is stopped by process id.
/// </summary>
internal sealed class RedisCluster : IAsyncDisposable
{
    public const int NodeTimeoutMs = 1000;

    private RedisCluster(RedisServer[] nodes) => Nodes = nodes;

    public IReadOnlyList<RedisServer> Nodes { get; }

    /// <summary>How a user configures StackExchange.Redis for a cluster: the node list (it discovers the slot map).</summary>
    public string ConnectionString => string.Join(",", Nodes.Select(n => n.Endpoint)) + ",connectTimeout=2000,connectRetry=1";

    public static async Task<RedisCluster> StartAsync(int masters, int replicasPerMaster, params string[] nodeArgs)
    {
        var cli = RedisServer.RequireBinary("redis-cli");
        var nodes = new List<RedisServer>();
        var cluster = new RedisCluster(nodes.ToArray());
        try
        {
            for (int i = 0; i < masters * (1 + replicasPerMaster); i++)
            {
                nodes.Add(await RedisServer.StartAsync(
                [
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                    "--cluster-node-timeout", NodeTimeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture), .. nodeArgs,
                ]));
            }

            cluster = new RedisCluster(nodes.ToArray());
            await RunAsync(cli, ["--cluster", "create", .. nodes.Select(n => n.Endpoint), "--cluster-replicas", replicasPerMaster.ToString(System.Globalization.CultureInfo.InvariantCulture), "--cluster-yes"]);
            await cluster.WaitHealthyAsync(TimeSpan.FromSeconds(20));
            return cluster;
        }
        catch
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Waits until every running node says <c>cluster_state:ok</c> and every replica's link to its master is up.</summary>
    public async Task WaitHealthyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        string last = "";
        while (DateTime.UtcNow < deadline)
        {
            last = "";
            foreach (var node in Nodes.Where(n => n.ProcessId is not null))
            {
                string info = await RawCommand.TrySendAsync(node.Port, "CLUSTER", "INFO") + await RawCommand.TrySendAsync(node.Port, "INFO", "replication");
                if (!info.Contains("cluster_state:ok", StringComparison.Ordinal) ||
                    (info.Contains("role:slave", StringComparison.Ordinal) && !info.Contains("master_link_status:up", StringComparison.Ordinal)))
                {
                    last = $"{node.Endpoint}: {info}";
                }
            }

            if (last.Length == 0)
            {
                return;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"the cluster did not become healthy within {timeout.TotalSeconds} s: {last}");
    }

    /// <summary>The master that serves <paramref name="key"/>'s slot as a live node sees it now (CLUSTER KEYSLOT and
    /// CLUSTER NODES; a master flagged as failed serves nothing), or null when none does.</summary>
    public async Task<RedisServer?> MasterOfAsync(string key)
    {
        var live = Nodes.First(n => n.ProcessId is not null);
        int slot = int.Parse(await RawCommand.SendAsync(live.Port, "CLUSTER", "KEYSLOT", key), System.Globalization.CultureInfo.InvariantCulture);
        foreach (var line in (await RawCommand.SendAsync(live.Port, "CLUSTER", "NODES")).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // <id> <ip:port@cport> <flags> <master> <ping> <pong> <epoch> <link> <slot ranges...>
            var fields = line.Split(' ');
            if (!fields[2].Contains("master", StringComparison.Ordinal) || fields[2].Contains("fail", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var range in fields.Skip(8).Where(f => !f.StartsWith('[')))
            {
                var bounds = range.Split('-');
                int from = int.Parse(bounds[0], System.Globalization.CultureInfo.InvariantCulture);
                int to = bounds.Length > 1 ? int.Parse(bounds[1], System.Globalization.CultureInfo.InvariantCulture) : from;
                if (slot >= from && slot <= to)
                {
                    string endpoint = fields[1].Split('@')[0];
                    return Nodes.Single(n => n.Endpoint == endpoint);
                }
            }
        }

        return null;
    }

    private static async Task RunAsync(string binary, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"{binary} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{binary} {string.Join(' ', psi.ArgumentList)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
    }
}
