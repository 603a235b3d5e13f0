using Fusebox.Redis.Tests.Support;

namespace Fusebox.Redis.Tests;

/// <summary>
/// A trip made while Redis was unreachable (its publishing is dropped then) must reach the cluster when Redis returns:
/// neither newer shared state nor a manual change made earlier in the same outage may undo it. PropagationTests lost such
/// a trip under CI load (every replica stayed closed after "reset by an operator on r1").
/// </summary>
public class OutageTripTests
{
    [Fact]
    public async Task A_trip_made_during_a_stall_survives_newer_shared_state_it_had_not_seen()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        // r1 learns of r2's reset neither by message nor by its change log or sweep before the stall; it reconnects 1 s after falling back,
        // so its trip is taken from the queue (and its publishing dropped) while Redis is still unavailable to it.
        var o1 = Replica.Options(prefix, SharingMode.Any, "r1");
        (o1.PollInterval, o1.SweepInterval, o1.ReconnectInterval) = (TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1));
        await using var r1 = await Replica.StartAsync(redis.ConnectionString, o1);
        await using var r2 = await Replica.StartAsync(redis.ConnectionString, Replica.Options(prefix, SharingMode.Any, "r2"));
        await using var admin = await redis.ConnectAdminAsync();
        long known = r1.Status.ClusterGeneration!.Value;
        r1.Coordinator.PubSubEnabled = false;

        r2.Breaker.Reset("a reset r1 has not seen"); // closed already: published as a command, a newer generation
        await Eventually.TrueAsync(() => r2.Status.ClusterGeneration > known, "r2's reset reached Redis");
        Assert.Equal(known, r1.Status.ClusterGeneration);

        int opened = 0; // r2's adoptions of an open state from now on (its shared break is short: the state itself may be gone by the next look)
        r2.Breaker.StateChanged += (_, e) => { if (e.NewState == BreakerState.Open) { Interlocked.Increment(ref opened); } };
        var stall = admin.GetServer(redis.Endpoint).ExecuteAsync("DEBUG", "SLEEP", "2.5");
        r1.Succeed(1); // something to flush: the flush times out (500 ms) and r1 falls back
        await Eventually.TrueAsync(() => !r1.Coordinator.IsRedisAvailable, "r1 falls back during the stall");
        Assert.Equal(5, r1.Fail(5));
        Assert.Equal(BreakerState.Open, r1.State);
        var r1States = new System.Collections.Concurrent.ConcurrentQueue<BreakerState>(); // r1's states after its trip
        r1.Breaker.StateChanged += (_, e) => r1States.Enqueue(e.NewState);
        await stall;

        // Back: the newer shared state is closed, r1's trip is newer to r1 and more severe; in Any mode it opens all.
        await Eventually.TrueAsync(() => r1.Coordinator.IsRedisAvailable, "r1 reconnects", seconds: 10);
        await Eventually.TrueAsync(() => Volatile.Read(ref opened) > 0, "r1's trip reaches r2 after the stall");
        // r1 was never closed by the state it had not seen. (Its 400 ms break may be over by now, so its State can
        // read half-open: asserting Open here failed once in CI while the property held.)
        Assert.DoesNotContain(BreakerState.Closed, r1States);
    }

    [Fact]
    public async Task A_trip_made_after_a_reset_in_the_same_stall_survives_the_resets_late_publishing()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        var o1 = Replica.Options(prefix, SharingMode.Any, "r1");
        o1.ReconnectInterval = TimeSpan.FromSeconds(1);
        await using var r1 = await Replica.StartAsync(redis.ConnectionString, o1);
        await using var r2 = await Replica.StartAsync(redis.ConnectionString, Replica.Options(prefix, SharingMode.Any, "r2"));
        await using var admin = await redis.ConnectAdminAsync();
        Assert.Equal(5, r1.Fail(5));
        await Eventually.TrueAsync(() => r2.State == BreakerState.Open, "r1's first trip opens r2");
        long opened = r2.Status.ClusterGeneration!.Value;
        var seen = new System.Collections.Concurrent.ConcurrentQueue<BreakerState>(); // r2's states from now on, in order
        r2.Breaker.StateChanged += (_, e) => seen.Enqueue(e.NewState);

        var stall = admin.GetServer(redis.Endpoint).ExecuteAsync("DEBUG", "SLEEP", "2.5");
        r1.Breaker.Reset("reset during the stall"); // its publishing times out: kept to publish on return
        await Eventually.TrueAsync(() => !r1.Coordinator.IsRedisAvailable, "r1 falls back during the stall");
        Assert.Equal(5, r1.Fail(5)); // a newer local trip
        Assert.Equal(BreakerState.Open, r1.State);
        await stall;

        // The reset is published (once or twice: the timed-out call ran when the server woke up), then the trip after it.
        await Eventually.TrueAsync(() => r1.Coordinator.IsRedisAvailable, "r1 reconnects", seconds: 10);
        await Eventually.TrueAsync(() => seen.SkipWhile(state => state != BreakerState.Closed).Contains(BreakerState.Open) && r2.Status.ClusterGeneration >= opened + 2,
            "the trip after the reset reaches r2 (the shared state went closed, then open again)");
        Assert.Equal(BreakerState.Open, r1.State);
    }

    [Fact]
    public async Task A_trip_made_during_an_outage_is_shared_after_an_empty_restart_with_the_break_it_has_left()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        var breaker = Replica.BreakerOptions();
        breaker.BreakDuration = TimeSpan.FromSeconds(3);
        var replicas = await Replica.StartManyAsync(2, redis.ConnectionString, prefix, SharingMode.Any, breaker);
        await using var cleanup = new DisposeAll(replicas);
        var r1 = replicas[0];

        await redis.KillAsync();
        await Eventually.TrueAsync(() => !r1.Coordinator.IsRedisAvailable, "fallback");
        Assert.Equal(5, r1.Fail(5)); // a local trip: a 3 s break on r1's own clock
        r1.Time.Advance(TimeSpan.FromSeconds(2.5)); // 0.5 s of it left
        await redis.RestartAsync(); // empty

        // r1's open is the more severe state and is written back: with the 0.5 s it has left, not a new 3 s break.
        await Eventually.TrueAsync(() => replicas[1].State == BreakerState.Open, "r1's open reaches r2", seconds: 10);
        await using var admin = await redis.ConnectAdminAsync();
        var db = admin.GetDatabase();
        long until = (long)await db.HashGetAsync($"{prefix}:{{{Replica.BreakerName}}}:state", "u");
        long left = until - await RedisServer.ServerNowMsAsync(db);
        Assert.True(left <= 500, $"the shared break has {left} ms left (r1 had 500 ms; a full break would be 3,000 ms)");
    }
}
