using Fusebox.Coordination;
using System.Diagnostics;
using Fusebox.Redis.Tests.Support;
using StackExchange.Redis;

namespace Fusebox.Redis.Tests;

/// <summary>Permits of the shared half-open round are leased: a replica that lost its traffic gives back what it did not
/// use, and the lease of one that died runs out, so no permit is stranded until the round's deadline (60 s here).</summary>
public class ProbeLeaseTests
{
    private static async Task<Replica[]> HalfOpenClusterAsync(RedisServer redis, string prefix)
    {
        var breaker = Replica.BreakerOptions();
        breaker.HalfOpenPermits = 1; // one permit in the whole cluster
        var replicas = await Replica.StartManyAsync(2, redis.ConnectionString, prefix, SharingMode.Any, breaker);
        replicas[0].Fail(5);
        await Eventually.AllInStateAsync(replicas, BreakerState.Open);
        await Eventually.AllInStateAsync(replicas, BreakerState.HalfOpen); // the shared break is 400 ms of Redis time
        return replicas;
    }

    [Fact]
    public async Task A_permit_claimed_by_a_replica_whose_traffic_stopped_goes_to_the_replica_that_asks()
    {
        await using var redis = await RedisServer.StartAsync();
        var replicas = await HalfOpenClusterAsync(redis, Prefix.New());
        await using var cleanup = new DisposeAll(replicas);
        var (r1, r2) = (replicas[0], replicas[1]);

        Assert.False(r1.Breaker.TryAcquire(out _)); // demand: its next tick claims the round's only permit
        await Eventually.TrueAsync(() => r1.Breaker.GetHalfOpenProgress()?.FreeSlots == 1, "r1 holds the permit");

        // r1's traffic stops. r2 asks until it gets a probe: r1 gives the unused permit back after a tick.
        CircuitPermit probe = default;
        await Eventually.TrueAsync(() => r2.Breaker.TryAcquire(out probe), "r2 gets the permit r1 left unused");
        Assert.True(probe.IsProbe);
        Assert.False(r1.Breaker.TryAcquire(out _)); // taken back: still one probe in the cluster
        probe.RecordSuccess();
        await Eventually.AllInStateAsync(replicas, BreakerState.Closed);
    }

    [Fact]
    public async Task The_permit_of_a_replica_that_died_holding_it_returns_when_its_lease_runs_out()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        var replicas = await HalfOpenClusterAsync(redis, prefix);
        await using var cleanup = new DisposeAll(replicas);

        // A replica that is gone claims the permit (the script a replica runs), then never renews it.
        await using var admin = await redis.ConnectAdminAsync();
        var db = admin.GetDatabase();
        string state = $"{prefix}:{{{Replica.BreakerName}}}:state";
        var fields = await db.HashGetAsync(state, ["e", "g"]);
        var claim = (RedisResult[])(await db.ScriptEvaluateAsync(RedisScripts.Claim,
            [state, $"{prefix}:{{{Replica.BreakerName}}}:leases"], [fields[0], fields[1], 1, "gone", 1000]))!;
        Assert.Equal(1, (long)claim[13]); // it took the round's only permit
        var leased = Stopwatch.StartNew();

        CircuitPermit probe = default;
        await Eventually.TrueAsync(() => replicas[1].Breaker.TryAcquire(out probe), "r2 gets the dead replica's permit");
        Assert.True(leased.Elapsed >= TimeSpan.FromMilliseconds(900), $"not before the 1 s lease ran out ({leased.Elapsed.TotalMilliseconds:0} ms)");
        probe.RecordSuccess();
        await Eventually.AllInStateAsync(replicas, BreakerState.Closed);
    }
}
