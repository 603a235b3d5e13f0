using Fusebox.Coordination;
using Fusebox.Redis.Tests.Support;
using Microsoft.Extensions.Logging.Testing;

namespace Fusebox.Redis.Tests;

/// <summary>Adaptive throttling across replicas (issue 17, item 1): the other replicas' windows, stored in the
/// breaker's throttle hash, raise this replica's rejection probability; they stop counting a window after the link
/// went; a corrupt entry is that breaker's problem, reported and repaired, never read as zero.</summary>
public class ThrottleSharingTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_replica_that_sees_no_failure_throttles_on_the_failures_another_replica_sees_until_the_link_has_been_gone_a_window()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        var replicas = await Replica.StartManyAsync(2, redis.ConnectionString, prefix, breaker: Throttled());
        await using var cleanup = new DisposeAll(replicas);
        var (r1, r2) = (replicas[0], replicas[1]);

        Assert.Equal(50, r1.Fail(50)); // r1's dependency fails: 50 requests, no accepts (the cluster stays closed: 1 of 2 replicas)
        await Eventually.TrueAsync(async () => await EntryAsync(redis, prefix, "r1") is { } e && e.StartsWith("50:0:", StringComparison.Ordinal),
            "r1's window in the throttle hash");

        Assert.Equal(2, r2.Succeed(2)); // r2's own window alone: p = 0
        double expected = Formula(2 + 50, 2 + 0);
        await Eventually.TrueAsync(() => r2.Breaker.Snapshot().ThrottleProbability == expected, $"r2's p = {expected} from r1's window");
        Assert.Equal(new ThrottleCounts(2, 2, Window), r2.Breaker.ReadThrottleCounts()); // its own window is still its own
        Assert.Equal(BreakerState.Closed, r2.State);

        // The link goes: the remote part stays for a window of the breaker's clock after the last hand-over, then expires.
        await redis.KillAsync();
        await Eventually.TrueAsync(() => !r2.Coordinator.IsRedisAvailable, "r2 notices the outage");
        r2.Time.Advance(Window - TimeSpan.FromSeconds(1));
        Assert.Equal(3, r2.Fail(3)); // its own window now holds failures too (how many of the first calls are still in it
                                     // depends on where the buckets fall: read it)
        var own = r2.Breaker.ReadThrottleCounts()!.Value;
        Assert.Equal(Formula(own.Requests + 50, own.Accepts), r2.Breaker.Snapshot().ThrottleProbability);
        r2.Time.Advance(TimeSpan.FromSeconds(1)); // a window after the last hand-over
        own = r2.Breaker.ReadThrottleCounts()!.Value;
        Assert.True(own.Requests >= 3, "the three failures are still in r2's window");
        Assert.Equal(Formula(own.Requests, own.Accepts), r2.Breaker.Snapshot().ThrottleProbability); // its own window only
    }

    [Fact]
    public async Task A_corrupt_entry_is_reported_for_that_breaker_never_read_as_zero_and_repaired()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        var logs = new FakeLogCollector();
        var o1 = Replica.Options(prefix, id: "r1");
        var o2 = Replica.Options(prefix, id: "r2");
        await using var r1 = await Replica.StartAsync(redis.ConnectionString, o1, Throttled());
        await using var r2 = await Replica.StartAsync(redis.ConnectionString, o2, Throttled(), logger: new FakeLogger(logs));

        r1.Fail(20);
        await Eventually.TrueAsync(async () => await EntryAsync(redis, prefix, "r1") is not null, "r1's entry");
        r2.Succeed(1);
        await Eventually.TrueAsync(() => r2.Breaker.Snapshot().ThrottleProbability == Formula(20 + 1, 1), "r2 throttles on r1's window");
        logs.Clear();

        await using var admin = await redis.ConnectAdminAsync();
        var db = admin.GetDatabase();
        await db.HashSetAsync(ThrottleKey(prefix), "r9", "-5:0:1"); // a negative count: no script writes that
        r2.Succeed(1);
        await Eventually.TrueAsync(() => logs.GetSnapshot().Any(r => r.Id.Id == 2008 && r.Message.Contains("field throttle", StringComparison.Ordinal)),
            "the corruption reported with the field");
        Assert.True(r2.Breaker.Snapshot().ThrottleProbability > Formula(2, 2), "the remote part was not replaced by zeros");
        await Eventually.TrueAsync(() => !db.HashExists(ThrottleKey(prefix), "r9"), "the bad entry removed");

        // Sharing resumes: r1's next calls store its window again, r2's next flush reads it.
        r1.Fail(5);
        await Eventually.TrueAsync(async () => await EntryAsync(redis, prefix, "r1") is { } e && e.StartsWith("25:0:", StringComparison.Ordinal), "r1's entry again");
        r2.Succeed(1);
        await Eventually.TrueAsync(() => r2.Breaker.Snapshot().ThrottleProbability == Formula(25 + 3, 3), "r2 reads r1's window again");
        Assert.True(r2.Coordinator.IsRedisAvailable);
        Assert.DoesNotContain(logs.GetSnapshot(), r => r.Id.Id is 2001 or 2007); // never "unavailable", never a loop error
    }

    [Fact]
    public async Task A_breaker_without_throttling_writes_no_throttle_hash()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        await using var r1 = await Replica.StartAsync(redis.ConnectionString, Replica.Options(prefix, id: "r1"));
        r1.Fail(3);
        r1.Succeed(3);
        await ClusterCounts.WaitForCallsAsync(redis, prefix, 6);
        await using var admin = await redis.ConnectAdminAsync();
        Assert.False(await admin.GetDatabase().KeyExistsAsync(ThrottleKey(prefix)));
    }

    [Fact]
    public async Task An_idle_throttled_breaker_writes_nothing_once_its_window_is_stored_or_empty()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        var options = ClockedReplica.Options(prefix, "r1", sweep: TimeSpan.FromHours(1)); // no sweep reads in these ticks
        await using var replica = await ClockedReplica.StartAsync(redis.ConnectionString, options, [Replica.BreakerName], Throttled());
        await using var admin = await redis.ConnectAdminAsync();
        var server = admin.GetServer(redis.Endpoint);
        var breaker = replica[Replica.BreakerName];
        await replica.TickAsync(2);

        async Task<long> ScriptsOverAsync(int ticks)
        {
            await server.ConfigResetStatisticsAsync();
            await replica.TickAsync(ticks);
            var stats = (await server.InfoAsync("commandstats")).SelectMany(g => g).ToDictionary(kv => kv.Key, kv => kv.Value);
            return new[] { "cmdstat_eval", "cmdstat_evalsha" }.Sum(name => // EVAL the first time a script is sent, then EVALSHA
                stats.TryGetValue(name, out var v) ? long.Parse(v.Split(',')[0]["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture) : 0);
        }

        Assert.Equal(0, await ScriptsOverAsync(20)); // an empty window: nothing to store
        await breaker.ExecuteAsync(_ => ValueTask.FromResult(1));
        Assert.Equal(1, await ScriptsOverAsync(20)); // one flush with the call and the window, then nothing changes
        Assert.StartsWith("1:1:", (string?)await admin.GetDatabase().HashGetAsync(ThrottleKey(prefix), "r1"), StringComparison.Ordinal);

        await replica.JumpAsync(Window); // the window drains: one flush removes the entry
        await Eventually.TrueAsync(() => !admin.GetDatabase().HashExists(ThrottleKey(prefix), "r1"), "the drained window's entry removed");
        Assert.Equal(0, await ScriptsOverAsync(20));
    }

    /// <summary>Never trips on its own (1,000 consecutive failures); throttling admits every call (a draw of 1), so the
    /// counts are exact and the probability shows in the snapshot.</summary>
    private static CircuitBreakerOptions Throttled() => new()
    {
        TripPolicy = TripPolicy.ConsecutiveFailures(1000),
        BreakDuration = TimeSpan.FromMilliseconds(400),
        AdaptiveThrottling = new AdaptiveThrottlingOptions { RandomSource = () => 1 },
    };

    private static double Formula(long requests, long accepts) => Math.Min(1, Math.Max(0, (requests - (2.0 * accepts)) / (requests + 1)));

    private static string ThrottleKey(string prefix) => $"{prefix}:{{{Replica.BreakerName}}}:throttle";

    private static async Task<string?> EntryAsync(RedisServer redis, string prefix, string replica)
    {
        await using var admin = await redis.ConnectAdminAsync();
        return await admin.GetDatabase().HashGetAsync(ThrottleKey(prefix), replica);
    }
}
