using Fusebox.Coordination;
using Fusebox.Redis.Tests.Support;
using Microsoft.Extensions.Logging.Testing;
using StackExchange.Redis;

namespace Fusebox.Redis.Tests;

/// <summary>Garbage in one breaker's keys (issue 14, defects 2 and 3): that breaker's problem only, logged once, repaired
/// from the replicas' local states; Redis stays available for every breaker, and a replica started meanwhile joins.</summary>
public class CorruptStateTests
{
    private const string Other = "orders";

    [Theory]
    [InlineData("s", "9")]
    [InlineData("o", "-3")]
    [InlineData("u", "+30d")] // an open-until 30 days out: beyond any break this breaker allows
    [InlineData("u", "+20h")] // inside a day, but beyond this breaker's longest break (400 ms): not adopted either
    public async Task A_bad_field_in_a_state_hash_is_repaired_and_a_replica_started_while_it_is_there_joins(string field, string value)
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        var logs = new FakeLogCollector();
        var first = await Replica.StartAsync(redis.ConnectionString, Replica.Options(prefix, id: "r1"), logger: new FakeLogger(logs));
        await using var cleanupFirst = first;
        first.Registry.GetOrAdd(Other);
        await Eventually.TrueAsync(() => first.Coordinator.GetStatus(Other)?.ClusterGeneration is not null, "the other breaker synced");
        first.Breaker.Isolate("before the corruption");
        first.Breaker.Reset("before the corruption"); // the hash now exists with a real epoch and generation
        await Eventually.TrueAsync(() => first.Status.ClusterGeneration >= 2, "both manual changes shared");
        logs.Clear();

        await using var admin = await redis.ConnectAdminAsync();
        var db = admin.GetDatabase();
        var key = $"{prefix}:{{{Replica.BreakerName}}}:state";
        if (field == "u")
        {
            long nowMs = await RedisServer.ServerNowMsAsync(db);
            long ahead = value == "+30d" ? (long)TimeSpan.FromDays(30).TotalMilliseconds : (long)TimeSpan.FromHours(20).TotalMilliseconds;
            await db.HashSetAsync(key, [new HashEntry("s", 1), new HashEntry("u", nowMs + ahead), new HashEntry("g", 50)]);
        }
        else
        {
            await db.HashSetAsync(key, [new HashEntry(field, value), new HashEntry("g", 50)]);
        }

        // A replica started while the corrupt hash is there becomes available (on main it never did).
        var lateLogs = new FakeLogCollector();
        await using var late = await Replica.StartAsync(redis.ConnectionString, Replica.Options(prefix, id: "r2"), logger: new FakeLogger(lateLogs));
        Assert.True(late.Coordinator.IsRedisAvailable);
        Assert.NotEqual(BreakerState.Open, late.State); // a 30-day or 20-hour break was not adopted

        // Repaired: the hash is valid again and sharing works for the breaker, on both replicas.
        await Eventually.TrueAsync(() => IsValid(db.HashGetAll(key)), $"{key} repaired");
        await Eventually.TrueAsync(() => first.Status.ClusterGeneration is not null && late.Status.ClusterGeneration is not null, "synced");
        first.Breaker.Isolate("after the repair");
        await Eventually.TrueAsync(() => late.State == BreakerState.Isolated, "shared again after the repair");

        Assert.True(first.Coordinator.IsRedisAvailable);
        var records = logs.GetSnapshot().Concat(lateLogs.GetSnapshot()).ToList();
        Assert.DoesNotContain(records, r => r.Id.Id is 2001 or 2007); // never "Redis unavailable", never a loop error

        // Whichever replica met the corruption first repaired it; each logs it at most once, with the field.
        var corrupt = new[] { logs, lateLogs }.Select(l => l.GetSnapshot().Count(r => r.Id.Id == 2008)).ToArray();
        Assert.True(corrupt.Sum() >= 1 && corrupt.All(c => c <= 1), $"corruption logged {string.Join(" and ", corrupt)} times");
        Assert.All(records.Where(r => r.Id.Id == 2008), r => Assert.Contains($"field {field}", r.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_wrong_typed_state_key_is_that_breakers_problem_only_and_is_repaired()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        var logs = new FakeLogCollector();
        var replicas = new[]
        {
            await Replica.StartAsync(redis.ConnectionString, Replica.Options(prefix, id: "r1"), logger: new FakeLogger(logs)),
            await Replica.StartAsync(redis.ConnectionString, Replica.Options(prefix, id: "r2")),
        };
        await using var cleanup = new DisposeAll(replicas);
        foreach (var r in replicas)
        {
            r.Registry.GetOrAdd(Other);
            await Eventually.TrueAsync(() => r.Coordinator.GetStatus(Other)?.ClusterGeneration is not null, "the other breaker synced");
        }

        logs.Clear();
        await using var admin = await redis.ConnectAdminAsync();
        var db = admin.GetDatabase();
        var key = $"{prefix}:{{{Replica.BreakerName}}}:state";
        await db.StringSetAsync(key, "garbage");

        // The other breaker stays shared while the garbage is there; the garbage is removed.
        replicas[0].Registry.GetOrAdd(Other).Isolate("while payments is corrupt");
        await Eventually.TrueAsync(() => replicas[1].Registry.GetOrAdd(Other).State == BreakerState.Isolated, "the other breaker is still shared");
        await Eventually.TrueAsync(() => db.KeyType(key) is RedisType.Hash or RedisType.None, $"{key} repaired");
        replicas[0].Breaker.Isolate("after the repair");
        await Eventually.TrueAsync(() => replicas[1].State == BreakerState.Isolated, "payments shared again");

        Assert.All(replicas, r => Assert.True(r.Coordinator.IsRedisAvailable));
        var records = logs.GetSnapshot();
        Assert.DoesNotContain(records, r => r.Id.Id is 2001 or 2007);
        Assert.Single(records, r => r.Id.Id == 2008);
    }

    [Fact]
    public async Task A_bad_bucket_field_is_removed_without_a_fallback_and_counts_flow_again()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        var logs = new FakeLogCollector();
        await using var replica = await Replica.StartAsync(redis.ConnectionString, Replica.Options(prefix, id: "r1"), logger: new FakeLogger(logs));
        logs.Clear();

        await using var admin = await redis.ConnectAdminAsync();
        var db = admin.GetDatabase();
        long bucket = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000;
        var keys = Enumerable.Range(-1, 4).Select(i => (RedisKey)$"{prefix}:{{{Replica.BreakerName}}}:w:{bucket + i}").ToArray();
        foreach (var key in keys)
        {
            await db.HashSetAsync(key, "r9|c", "not-a-number");
        }

        // A flush finds the bad buckets of its window, the next tick removes them; later buckets when they enter it.
        var inWindow = keys.Take(2).ToArray();
        for (int i = 0; i < 100 && inWindow.Any(k => db.HashExists(k, "r9|c")); i++)
        {
            replica.Succeed(3);
            await Task.Delay(50);
        }

        Assert.All(inWindow, k => Assert.False(db.HashExists(k, "r9|c"), $"{k} repaired"));
        long before = (long?)await db.HashGetAsync(keys[1], "r1|c") ?? 0;
        replica.Succeed(5);
        await Eventually.TrueAsync(() => ((long?)db.HashGet(keys[1], "r1|c") ?? 0) > before ||
                                         keys.Skip(2).Any(k => db.HashExists(k, "r1|c")), "counts flow after the repair");
        Assert.True(replica.Coordinator.IsRedisAvailable);
        Assert.DoesNotContain(logs.GetSnapshot(), r => r.Id.Id is 2001 or 2007);
        Assert.Contains(logs.GetSnapshot(), r => r.Id.Id == 2008 && r.Message.Contains("bucket", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_longer_break_decided_by_a_replica_configured_differently_is_adopted_not_taken_for_corruption()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        var longBreak = Replica.BreakerOptions();
        longBreak.BreakDuration = TimeSpan.FromSeconds(30); // e.g. mid-way through a rolling configuration change
        var logs = new FakeLogCollector();
        await using var deciding = await Replica.StartAsync(redis.ConnectionString, Replica.Options(prefix, SharingMode.Any, "long"), longBreak);
        await using var other = await Replica.StartAsync(redis.ConnectionString, Replica.Options(prefix, SharingMode.Any, "short"),
            logger: new FakeLogger(logs)); // its own break: 400 ms

        deciding.Fail(5);
        await Eventually.TrueAsync(() => other.State == BreakerState.Open, "the 30 s break adopted");
        await Eventually.StaysTrueAsync(() => other.State == BreakerState.Open && other.Status.ClusterState == BreakerState.Open,
            "still open: the shared break was not repaired away", seconds: 1);
        Assert.DoesNotContain(logs.GetSnapshot(), r => r.Id.Id is 2008 or 2009);
    }

    /// <summary>Removed (re-created by the next write) or re-seeded with fields in range.</summary>
    private static bool IsValid(HashEntry[] hash)
    {
        var fields = hash.ToDictionary(h => (string)h.Name!, h => (string?)h.Value);
        return fields.Count == 0 || fields.GetValueOrDefault("s") is "0" or "1" or "2" or "3" or "4" && fields.GetValueOrDefault("o") is { } o &&
               !o.StartsWith('-') && (fields.GetValueOrDefault("s") != "1" || fields.GetValueOrDefault("g") != "50");
    }
}
