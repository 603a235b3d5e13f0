using System.Diagnostics;
using System.Globalization;
using Fusebox.Redis.Tests.Support;

namespace Fusebox.Redis.Tests;

/// <summary>The hot path never talks to Redis: round trips follow the flush interval, not the call rate.</summary>
public class CommandStatsTests
{
    [Fact]
    public async Task One_hundred_thousand_closed_state_calls_cost_round_trips_per_flush_interval_not_per_call()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        await using var replica = await Replica.StartAsync(redis.ConnectionString, Replica.Options(prefix, id: "r1"));
        await using var admin = await redis.ConnectAdminAsync();
        var server = admin.GetServer(redis.Endpoint);

        await server.ConfigResetStatisticsAsync();
        var elapsed = Stopwatch.StartNew();
        for (int batch = 0; batch < 100; batch++)
        {
            for (int i = 0; i < 1_000; i++)
            {
                Assert.True(replica.Breaker.TryAcquire(out var permit));
                permit.RecordSuccess();
            }

            await Task.Delay(10); // spread the calls over about a second: many flush intervals
        }

        await Task.Delay(300); // six flush intervals: normally the last counts are in Redis by now
        var info = await server.InfoAsync("commandstats");
        var duration = elapsed.Elapsed;

        var perCommand = info.SelectMany(g => g)
            .Where(kv => kv.Key.StartsWith("cmdstat_", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["cmdstat_".Length..], kv => long.Parse(kv.Value.Split(',')[0]["calls=".Length..], CultureInfo.InvariantCulture));
        perCommand.Remove("config|resetstat"); // the reset itself, from the test's admin connection
        perCommand.Remove("config");

        // commandstats also counts the commands a script runs inside Redis; a round trip is a command a client sent.
        string[] insideScripts = ["hgetall", "hincrby", "pexpire", "hmget", "time", "hset", "publish", "del"];
        long total = perCommand.Values.Sum();
        long roundTrips = perCommand.Where(kv => !insideScripts.Contains(kv.Key)).Sum(kv => kv.Value);
        long flushIntervals = (long)(duration / TimeSpan.FromMilliseconds(50)) + 1;
        string report = string.Create(CultureInfo.InvariantCulture,
            $"100,000 calls over {duration.TotalSeconds:0.00} s ({flushIntervals} flush intervals of 50 ms): {roundTrips} round trips, " +
            $"{total} commands counting those run inside scripts ({string.Join(", ", perCommand.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value}"))})");
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "fusebox-redis-commandstats.txt"), report + Environment.NewLine);

        // At most one script and one change-log read (XRANGE) per flush interval, plus housekeeping.
        Assert.True(roundTrips <= (2 * flushIntervals) + 10, report);
        Assert.True(total <= flushIntervals * 17 + 20, report); // a flush runs ~15 commands inside Redis (10 buckets)

        // Every call is counted cluster-wide. Read after the statistics above (the reads are commands too), and waited
        // for: on a loaded machine the last flush can come later than the 300 ms above.
        await ClusterCounts.WaitForCallsAsync(redis, prefix, 100_000);
        Assert.Equal(100_000, await ClusterCounts.CallsAsync(redis, prefix));
    }
}
