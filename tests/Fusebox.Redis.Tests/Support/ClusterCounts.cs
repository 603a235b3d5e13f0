namespace Fusebox.Redis.Tests.Support;

/// <summary>Reads the window counters straight from Redis, to order test steps on what the cluster has seen.</summary>
internal static class ClusterCounts
{
    public static async Task<long> CallsAsync(RedisServer redis, string prefix, string breaker = Replica.BreakerName)
    {
        await using var admin = await redis.ConnectAdminAsync();
        var db = admin.GetDatabase();
        long total = 0;
        foreach (var key in admin.GetServer(redis.Endpoint).Keys(pattern: $"{prefix}:{{{breaker}}}:w:*"))
        {
            foreach (var entry in await db.HashGetAllAsync(key))
            {
                if (((string)entry.Name!).EndsWith("|c", StringComparison.Ordinal))
                {
                    total += (long)entry.Value;
                }
            }
        }

        return total;
    }

    /// <summary>The window's fields of one replica, summed over its buckets: calls (c), failures (f) and trip votes (t).</summary>
    public static async Task<(long Calls, long Failures, long Votes)> OfReplicaAsync(RedisServer redis, string prefix, string replica,
        string breaker = Replica.BreakerName)
    {
        await using var admin = await redis.ConnectAdminAsync();
        var db = admin.GetDatabase();
        long calls = 0, failures = 0, votes = 0;
        foreach (var key in admin.GetServer(redis.Endpoint).Keys(pattern: $"{prefix}:{{{breaker}}}:w:*"))
        {
            calls += (long)await db.HashGetAsync(key, replica + "|c");
            failures += (long)await db.HashGetAsync(key, replica + "|f");
            votes += (long)await db.HashGetAsync(key, replica + "|t");
        }

        return (calls, failures, votes);
    }

    public static async Task WaitForCallsAsync(RedisServer redis, string prefix, long atLeast)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        long seen;
        while ((seen = await CallsAsync(redis, prefix)) < atLeast)
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"the cluster window holds {seen} calls, expected at least {atLeast}");
            }

            await Task.Delay(10);
        }
    }
}
