using Fusebox.Redis.Tests.Support;

namespace Fusebox.Redis.Tests;

/// <summary>A breaker's state key lives as long as some replica uses it, and expires once none does.</summary>
public class KeyExpiryTests
{
    [Fact]
    public async Task A_breaker_in_use_keeps_its_state_key_alive_and_only_an_abandoned_one_expires()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        var options = Replica.Options(prefix, id: "r1");
        options.StateTimeToLive = TimeSpan.FromMinutes(2);
        await using var admin = await redis.ConnectAdminAsync();
        var db = admin.GetDatabase();
        string state = $"{prefix}:{{{Replica.BreakerName}}}:state";
        var r1 = await Replica.StartAsync(redis.ConnectionString, options);
        r1.Breaker.Isolate("creates the state key");
        await Eventually.TrueAsync(async () => await db.KeyExistsAsync(state), "the state key");

        // An idle breaker's replica only sweeps it (every 500 ms here): each sweep read gives the key another StateTimeToLive.
        await db.KeyExpireAsync(state, TimeSpan.FromSeconds(5));
        await Eventually.TrueAsync(async () => await db.KeyTimeToLiveAsync(state) > TimeSpan.FromSeconds(60), "a sweep read refreshes the expiry");

        // Busy: the flushes refresh it too.
        r1.Breaker.Reset();
        await db.KeyExpireAsync(state, TimeSpan.FromSeconds(5));
        for (int i = 0; i < 20 && await db.KeyTimeToLiveAsync(state) <= TimeSpan.FromSeconds(60); i++)
        {
            r1.Succeed(10);
            await Task.Delay(50);
        }

        Assert.True(await db.KeyTimeToLiveAsync(state) > TimeSpan.FromSeconds(60), "a flush refreshes the expiry");

        // Abandoned: nobody refreshes it any more.
        await r1.DisposeAsync();
        await db.KeyExpireAsync(state, TimeSpan.FromSeconds(5));
        await Task.Delay(700); // more than a sweep interval: a live replica would have refreshed it by now
        Assert.True(await db.KeyTimeToLiveAsync(state) <= TimeSpan.FromSeconds(5), "no replica, no refresh");

        // The prefix's change log expires too, StateTimeToLive after the last replica appended to it or read it.
        var logTtl = await db.KeyTimeToLiveAsync(prefix + ":changes");
        Assert.True(logTtl is { } ttl && ttl <= TimeSpan.FromMinutes(2), $"the change log expires (TTL {logTtl})");
    }
}
