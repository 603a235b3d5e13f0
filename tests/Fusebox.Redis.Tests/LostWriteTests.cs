using Fusebox.Redis.Tests.Support;
using StackExchange.Redis;

namespace Fusebox.Redis.Tests;

/// <summary>A failover that loses the last write (issue 14, defect 1): the same epoch, the state hash one generation
/// older, then another replica writes a different transition at the lost generation. Every replica must converge.</summary>
public class LostWriteTests
{
    [Fact]
    public async Task An_isolation_lost_by_a_failover_and_a_reset_written_over_it_converge_every_replica_on_the_reset()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        var replicas = await Replica.StartManyAsync(3, redis.ConnectionString, prefix);
        await using var cleanup = new DisposeAll(replicas);
        await using var admin = await redis.ConnectAdminAsync();
        var (db, key) = await LoseTheLastWriteAsync(admin, prefix, replicas);

        // Another replica resets: its write is generation 3 again, but a different transition.
        replicas[1].Breaker.Reset("after the failover");
        await Eventually.TrueAsync(() => replicas.All(r => r.State == BreakerState.Closed),
            "every replica converges on what Redis holds: " + string.Join(", ", replicas.Select(r => $"{r.Id} {r.State}")));
        Assert.All(replicas, r => Assert.Equal(3, r.Status.ClusterGeneration));
        Assert.Equal("0", (string?)await db.HashGetAsync(key, "s"));
    }

    [Fact]
    public async Task A_lost_last_write_that_nobody_overwrites_is_noticed_by_the_replicas_that_saw_it_and_every_replica_converges()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        var replicas = await Replica.StartManyAsync(2, redis.ConnectionString, prefix);
        await using var cleanup = new DisposeAll(replicas);
        await using var admin = await redis.ConnectAdminAsync();
        var (db, key) = await LoseTheLastWriteAsync(admin, prefix, replicas);

        // Nobody writes after it. A replica started now reads "closed"; the two that saw the isolation notice Redis went
        // back and write it again (the more severe state wins, as after any lost state), so all three end up isolated.
        await using var late = await Replica.StartAsync(redis.ConnectionString, Replica.Options(prefix, id: "late"));
        var all = replicas.Append(late).ToArray();
        await Eventually.TrueAsync(() => all.All(r => r.State == BreakerState.Isolated),
            "every replica converges: " + string.Join(", ", all.Select(r => $"{r.Id} {r.State}")));
        Assert.Equal("3", (string?)await db.HashGetAsync(key, "s"));
    }

    /// <summary>Generation 2 (closed) everywhere, then an isolation (generation 3) that every replica adopts and that
    /// the "promoted replica" never got: the hash is restored to generation 2, same epoch.</summary>
    private static async Task<(IDatabase Db, RedisKey Key)> LoseTheLastWriteAsync(ConnectionMultiplexer admin, string prefix, Replica[] replicas)
    {
        var db = admin.GetDatabase();
        var key = (RedisKey)$"{prefix}:{{{Replica.BreakerName}}}:state";
        replicas[0].Breaker.Isolate("first write");
        replicas[0].Breaker.Reset("second write");
        await Eventually.TrueAsync(() => replicas.All(r => r.Status.ClusterGeneration == 2 && r.State == BreakerState.Closed), "generation 2 everywhere");
        var beforeLostWrite = await db.HashGetAllAsync(key);

        replicas[0].Breaker.Isolate("the write the failover loses");
        await Eventually.AllInStateAsync(replicas, BreakerState.Isolated);
        await db.KeyDeleteAsync(key);
        await db.HashSetAsync(key, beforeLostWrite);
        return (db, key);
    }
}

/// <summary>Issue 14, defect 7: after FLUSHALL (or an empty restart) the open state is restored with the break it had
/// left, not a full new break.</summary>
public class RestoredBreakTests
{
    [Fact]
    public async Task After_a_flushall_the_shared_break_is_restored_with_what_was_left_of_it()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        var breaker = Replica.BreakerOptions();
        breaker.BreakDuration = TimeSpan.FromSeconds(6);
        breaker.BreakDurationJitter = 0;
        var replicas = await Replica.StartManyAsync(2, redis.ConnectionString, prefix, SharingMode.Any, breaker);
        await using var cleanup = new DisposeAll(replicas);
        await using var admin = await redis.ConnectAdminAsync();
        var db = admin.GetDatabase();
        var key = (RedisKey)$"{prefix}:{{{Replica.BreakerName}}}:state";

        replicas[0].Fail(5);
        await Eventually.AllInStateAsync(replicas, BreakerState.Open);
        var opened = DateTime.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(2)); // part of the break goes by
        await admin.GetServer(redis.Endpoint).FlushAllDatabasesAsync();

        await Eventually.TrueAsync(() => (string?)db.HashGet(key, "s") == "1", "the open state is back in Redis");
        long leftMs = (long)db.HashGet(key, "u") - await RedisServer.ServerNowMsAsync(db);
        long elapsedMs = (long)(DateTime.UtcNow - opened).TotalMilliseconds;

        // What is left of the 6 s break, not 6 s again (main restored a full break: about 6,000 ms left here).
        Assert.True(leftMs <= 6_000 - elapsedMs + 250, $"{leftMs} ms left after {elapsedMs} ms of a 6,000 ms break");
        Assert.True(leftMs > 0, $"{leftMs} ms left");
        Assert.Equal("0", (string?)db.HashGet(key, "o"));
        Assert.All(replicas, r => Assert.Equal(BreakerState.Open, r.State));
    }
}
