using Fusebox.Redis.Tests.Support;

namespace Fusebox.Redis.Tests;

/// <summary>Issue 14, defect 5: window buckets are named from the Redis server's clock inside the script, so replicas
/// with skewed clocks count into the same buckets and no "future" bucket outlives a close.</summary>
public class ClockSkewTests
{
    [Fact]
    public async Task Replicas_five_seconds_apart_count_into_the_buckets_of_the_servers_clock()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        var ahead = Replica.Options(prefix, id: "ahead");
        ahead.TimeProvider = new SkewedTimeProvider(TimeSpan.FromSeconds(5));
        var behind = Replica.Options(prefix, id: "behind");
        behind.TimeProvider = new SkewedTimeProvider(TimeSpan.FromSeconds(-5));
        await using var first = await Replica.StartAsync(redis.ConnectionString, ahead);
        await using var second = await Replica.StartAsync(redis.ConnectionString, behind);
        await using var admin = await redis.ConnectAdminAsync();
        var db = admin.GetDatabase();

        first.Succeed(3);
        second.Succeed(3);
        await ClusterCounts.WaitForCallsAsync(redis, prefix, 6);

        long serverBucket = await RedisServer.ServerNowMsAsync(db) / 1000; // 1 s buckets
        var buckets = admin.GetServer(redis.Endpoint).Keys(pattern: $"{prefix}:{{{Replica.BreakerName}}}:w:*")
            .Select(k => long.Parse(((string)k!).Split(':')[^1], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.NotEmpty(buckets);
        Assert.All(buckets, b => Assert.InRange(b, serverBucket - 2, serverBucket)); // neither 5 s ahead nor behind
    }

    /// <summary>The system clock, shifted: a replica whose wall clock is wrong.</summary>
    private sealed class SkewedTimeProvider(TimeSpan skew) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + skew;
    }
}
