using System.Globalization;
using Fusebox.Redis.Tests.Support;

namespace Fusebox.Redis.Tests;

/// <summary>
/// Issue 14, defect 8: idle breakers cost Redis nothing but their share of the sweep. Counted by <c>INFO commandstats</c>
/// over exactly <see cref="Ticks"/> ticks of a coordinator on a fake clock: with K idle breakers a tick costs one change-log
/// read (XRANGE) plus ⌊K × FlushInterval / SweepInterval⌋ sweep reads, whatever K; before, every breaker was polled
/// every PollInterval (K scripts per poll interval) and the cost per tick grew with K.
/// </summary>
public class IdleCostTests
{
    private const int Ticks = 20;

    [Fact]
    public async Task The_commands_per_tick_of_idle_breakers_are_one_log_read_plus_the_sweep_share_whatever_their_number()
    {
        await using var redis = await RedisServer.StartAsync();
        var ten = await MeasureAsync(redis, breakers: 10);
        var thousand = await MeasureAsync(redis, breakers: 1_000);
        string report = $"{Ticks} idle ticks: 10 breakers {ten}; 1,000 breakers {thousand}";
        TestContext.Current.TestOutputHelper?.WriteLine(report);

        // The sweep: 10 s over 100 ms ticks, so each tick reads K / 100 breakers (0.1 and 10 here). Everything else is
        // one XRANGE per tick, the same for 10 and for 1,000 breakers.
        Assert.True(ten.Counts.GetValueOrDefault("xrange") == Ticks, report);
        Assert.True(thousand.Counts.GetValueOrDefault("xrange") == Ticks, report);
        Assert.True(ten.Counts.GetValueOrDefault("evalsha") == Ticks * 10 / 100, report);
        Assert.True(thousand.Counts.GetValueOrDefault("evalsha") == Ticks * 1_000 / 100, report);
        Assert.True(ten.Swept == Ticks * 10 / 100 && thousand.Swept == Ticks * 1_000 / 100, report);
        foreach (var m in new[] { ten, thousand })
        {
            // The sweep's reads of breakers that have no state key run HMGET and TIME inside the script; the log is given
            // another TTL once per sweep interval (EXPIRE): nothing else is sent.
            var others = m.Counts.Where(kv => kv.Key is not ("xrange" or "evalsha" or "hmget" or "time" or "expire")).ToArray();
            Assert.True(others.Length == 0, report);
            Assert.True(m.Counts.GetValueOrDefault("expire") <= 1, report);
        }
    }

    private static async Task<Measured> MeasureAsync(RedisServer redis, int breakers)
    {
        var names = Enumerable.Range(0, breakers).Select(i => $"idle-{i:D4}").ToArray();
        var options = ClockedReplica.Options(Prefix.New(), "r1", sweep: TimeSpan.FromSeconds(10));
        await using var replica = await ClockedReplica.StartAsync(redis.ConnectionString, options, names);
        await using var admin = await redis.ConnectAdminAsync();
        var server = admin.GetServer(redis.Endpoint);

        // Ticks such that the sweep's carry is 0 at the start (it sweeps K × 100 / 10,000 breakers per tick).
        await replica.TickAsync(1);
        while (replica.Coordinator.Swept * 100 % breakers != 0 || replica.Coordinator.Swept == 0)
        {
            await replica.TickAsync(1);
        }

        long swept = replica.Coordinator.Swept;
        await server.ConfigResetStatisticsAsync();
        await replica.TickAsync(Ticks);
        var info = await server.InfoAsync("commandstats");
        var counts = info.SelectMany(g => g)
            .Where(kv => kv.Key.StartsWith("cmdstat_", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["cmdstat_".Length..], kv => long.Parse(kv.Value.Split(',')[0]["calls=".Length..], CultureInfo.InvariantCulture));
        counts.Remove("config|resetstat");
        counts.Remove("config");
        counts.Remove("info");
        return new Measured(counts, replica.Coordinator.Swept - swept);
    }

    private sealed record Measured(Dictionary<string, long> Counts, long Swept)
    {
        public override string ToString() =>
            $"swept {Swept}: " + string.Join(", ", Counts.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value}"));
    }
}
