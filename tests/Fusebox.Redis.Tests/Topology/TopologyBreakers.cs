using System.Diagnostics;
using Fusebox.Redis.Tests.Support;

namespace Fusebox.Redis.Tests.Topology;

/// <summary>Several named breakers on in-process replicas, for the topology tests, and the figures they report.</summary>
internal static class TopologyBreakers
{
    /// <summary>Adds the breakers to every replica's registry and waits until each replica has synced each of them.</summary>
    public static async Task AddAsync(Replica[] replicas, params string[] names)
    {
        foreach (var replica in replicas)
        {
            foreach (var name in names)
            {
                replica.Registry.GetOrAdd(name);
            }
        }

        await Eventually.TrueAsync(() => replicas.All(r => names.All(n => r.Coordinator.GetStatus(n)?.ClusterGeneration is not null)),
            "first sync of every breaker on every replica", seconds: 10);
    }

    public static string StateKey(string prefix, string name) => $"{prefix}:{{{name}}}:state";

    public static CircuitBreaker Breaker(this Replica replica, string name) => replica.Registry.GetOrAdd(name);

    public static bool AllIn(Replica[] replicas, string name, BreakerState state) => replicas.All(r => r.Breaker(name).State == state);

    public static string Describe(Replica[] replicas, string name) =>
        string.Join(", ", replicas.Select(r => $"{r.Id} {r.Breaker(name).State} (redis {(r.Coordinator.IsRedisAvailable ? "up" : "down")})"));

    /// <summary>Waits until every replica's <paramref name="name"/> is in <paramref name="state"/>; returns how long it took.</summary>
    public static async Task<TimeSpan> ConvergeAsync(Replica[] replicas, string name, BreakerState state, double seconds = 5)
    {
        var watch = Stopwatch.StartNew();
        while (!AllIn(replicas, name, state))
        {
            Assert.True(watch.Elapsed.TotalSeconds < seconds, $"every replica's {name} {state} within {seconds} s: " +
                string.Join("; ", replicas.Select(r => $"{r.Id}: {r.Coordinator.GetStatus(name)} {r.Breaker(name).Snapshot().LastReasonDescription}")) +
                $"; {ThreadPoolStallProbe.Describe()}");
            await Task.Delay(5);
        }

        return watch.Elapsed;
    }

    /// <summary>One successful call through every breaker of every replica: throws if a call path ever does.</summary>
    public static int CallEverything(Replica[] replicas, string[] names)
    {
        int admitted = 0;
        foreach (var replica in replicas)
        {
            foreach (var name in names)
            {
                if (replica.Breaker(name).TryAcquire(out var permit))
                {
                    permit.RecordSuccess();
                    admitted++;
                }
            }
        }

        return admitted;
    }

    /// <summary>A figure for the failure-mode table: to the test output, and appended (with the time) to
    /// <c>$TMPDIR/fusebox-redis-topology.txt</c>, like the other Redis tests' figure files (the runner shows test
    /// output only for failures).</summary>
    public static void Report(string figure)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(figure);
        File.AppendAllText(Path.Combine(Path.GetTempPath(), "fusebox-redis-topology.txt"),
            $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ} {figure}{Environment.NewLine}");
    }
}
