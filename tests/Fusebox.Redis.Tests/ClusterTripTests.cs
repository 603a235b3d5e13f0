using Fusebox.Redis.Tests.Support;
using StackExchange.Redis;

namespace Fusebox.Redis.Tests;

/// <summary>Cluster-wide open decisions: counts flushed by every replica, failure rate over the window, replica quorum.</summary>
public class ClusterTripTests
{
    [Fact]
    public async Task Failures_spread_over_a_quorum_of_replicas_open_the_breaker_for_all()
    {
        await using var redis = await RedisServer.StartAsync();
        var replicas = await Replica.StartManyAsync(3, redis.ConnectionString, Prefix.New());
        await using var cleanup = new DisposeAll(replicas);

        // 4 failures each: below every local threshold (5 in a row), 12 cluster-wide from 3 of 3 replicas.
        foreach (var r in replicas)
        {
            Assert.Equal(4, r.Fail(4));
        }

        await Eventually.AllInStateAsync(replicas, BreakerState.Open);
        foreach (var r in replicas)
        {
            var snapshot = r.Breaker.Snapshot();
            Assert.Equal(TransitionReason.External, snapshot.LastReason);
            Assert.StartsWith("cluster: failure rate 100% over 12 calls, failing on 3 of 3 replicas", snapshot.LastReasonDescription, StringComparison.Ordinal);
            Assert.Equal(StateScope.Cluster, r.Status.Scope);
            Assert.Equal(("redis", "cluster", false), (snapshot.Coordination!.Coordinator, snapshot.Coordination.Scope, snapshot.Coordination.LocalFallback));
            Assert.StartsWith("Quorum mode: cluster generation ", snapshot.Coordination.Detail, StringComparison.Ordinal);
            Assert.False(r.Breaker.TryAcquire(out _));
        }
    }

    [Fact]
    public async Task One_replica_failing_alone_while_the_others_succeed_opens_only_its_own_breaker_in_quorum_mode()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        var replicas = await Replica.StartManyAsync(3, redis.ConnectionString, prefix);
        await using var cleanup = new DisposeAll(replicas);
        var (bad, good1, good2) = (replicas[0], replicas[1], replicas[2]);

        good1.Succeed(20);
        good2.Succeed(20);
        await ClusterCounts.WaitForCallsAsync(redis, prefix, 40);
        bad.Fail(10); // trips locally after 5; the cluster sees 1 failing replica of 3

        Assert.Equal(BreakerState.Open, bad.State);
        await Eventually.TrueAsync(() => bad.Status.ClusterGeneration is not null && bad.Coordinator.GetStatus(Replica.BreakerName)!.LastSyncedAt is not null, "synced");
        await Task.Delay(300); // several flush intervals: give the cluster every chance to (wrongly) open
        await Eventually.StaysTrueAsync(() => good1.State == BreakerState.Closed && good2.State == BreakerState.Closed, "healthy replicas stay closed");

        var status = bad.Status;
        Assert.Equal(StateScope.Local, status.Scope);
        Assert.Equal(BreakerState.Open, status.LocalState);
        Assert.Equal(BreakerState.Closed, status.ClusterState);
        Assert.Equal(TransitionReason.ConsecutiveFailures, bad.Breaker.Snapshot().LastReason);
        Assert.Equal("local", bad.Breaker.Snapshot().Coordination!.Scope);
        Assert.Equal("Quorum mode: decided on this replica", bad.Breaker.Snapshot().Coordination!.Detail);
        Assert.Equal(BreakerState.Closed, good1.Status.ClusterState);
    }

    [Fact]
    public async Task One_replica_failing_alone_opens_every_breaker_in_any_mode()
    {
        await using var redis = await RedisServer.StartAsync();
        var replicas = await Replica.StartManyAsync(3, redis.ConnectionString, Prefix.New(), SharingMode.Any);
        await using var cleanup = new DisposeAll(replicas);

        replicas[1].Succeed(20);
        replicas[2].Succeed(20);
        replicas[0].Fail(5);

        await Eventually.AllInStateAsync(replicas, BreakerState.Open);
        Assert.Contains("replica r1", replicas[2].Breaker.Snapshot().LastReasonDescription, StringComparison.Ordinal);
        Assert.Equal(TransitionReason.External, replicas[2].Breaker.Snapshot().LastReason);
    }

    [Fact]
    public async Task Two_failing_replicas_of_three_are_a_quorum()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        var replicas = await Replica.StartManyAsync(3, redis.ConnectionString, prefix);
        await using var cleanup = new DisposeAll(replicas);

        replicas[2].Succeed(4);
        await ClusterCounts.WaitForCallsAsync(redis, prefix, 4);
        replicas[0].Fail(4);
        replicas[1].Fail(4); // 8 failures of 12 calls; 2 of 3 replicas failing: 2 >= 2 and 2 > 1.5

        await Eventually.AllInStateAsync(replicas, BreakerState.Open);
        Assert.Contains("failing on 2 of 3 replicas", replicas[2].Breaker.Snapshot().LastReasonDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Local_trips_on_a_quorum_of_replicas_open_the_cluster_even_when_healthy_calls_fill_the_window()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        var replicas = await Replica.StartManyAsync(3, redis.ConnectionString, prefix);
        await using var cleanup = new DisposeAll(replicas);

        foreach (var r in replicas)
        {
            r.Succeed(200); // the healthy traffic before an outage: 600 calls in the window
        }

        await ClusterCounts.WaitForCallsAsync(redis, prefix, 600);
        replicas[0].Fail(5); // trips locally; the cluster rate is 5 of 605: one vote is no quorum
        await Eventually.TrueAsync(() => replicas[0].Status.Scope == StateScope.Local && replicas[0].Status.LastSyncedAt is not null, "first vote flushed");
        await Eventually.StaysTrueAsync(() => replicas[1].State == BreakerState.Closed && replicas[2].State == BreakerState.Closed, "one vote of three", seconds: 0.3);

        replicas[1].Fail(5); // a second local trip: 2 of 3 replicas gave up, whatever the diluted rate (10 of 610)

        await Eventually.AllInStateAsync(replicas, BreakerState.Open);
        var third = replicas[2].Breaker.Snapshot();
        Assert.Equal(TransitionReason.External, third.LastReason);
        Assert.Contains("local breakers tripped on 2 of 3 replicas", third.LastReasonDescription, StringComparison.Ordinal);
        Assert.Equal(StateScope.Cluster, replicas[2].Status.Scope);
    }

    [Fact]
    public async Task Local_trips_on_half_of_the_active_replicas_are_no_quorum()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        var replicas = await Replica.StartManyAsync(4, redis.ConnectionString, prefix);
        await using var cleanup = new DisposeAll(replicas);

        foreach (var r in replicas)
        {
            r.Succeed(50);
        }

        await ClusterCounts.WaitForCallsAsync(redis, prefix, 200);
        replicas[0].Fail(5);
        replicas[1].Fail(5); // 2 of 4 tripped: the minimum of 2 is met, but not more than half

        await Eventually.TrueAsync(() => replicas[1].Status.LastSyncedAt is not null && replicas[1].State == BreakerState.Open, "second vote flushed");
        await Eventually.StaysTrueAsync(() => replicas[2].State == BreakerState.Closed && replicas[3].State == BreakerState.Closed, "half is no majority", seconds: 0.6);
        Assert.Equal(StateScope.Local, replicas[0].Status.Scope);
    }

    [Fact]
    public async Task Failing_replicas_that_are_not_more_than_half_of_the_active_ones_do_not_open_the_cluster()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        var replicas = await Replica.StartManyAsync(4, redis.ConnectionString, prefix, configure: o => o.FailureRateThreshold = 0.4);
        await using var cleanup = new DisposeAll(replicas);

        replicas[2].Succeed(3);
        replicas[3].Succeed(3);
        await ClusterCounts.WaitForCallsAsync(redis, prefix, 6); // both healthy replicas are active in the window
        replicas[0].Fail(4);
        replicas[1].Fail(4); // 2 of 4 failing: the minimum of 2 is met but 2 is not more than half of 4

        await Eventually.TrueAsync(() => replicas.All(r => r.Coordinator.GetStatus(Replica.BreakerName)!.LastSyncedAt is not null), "synced");
        await Eventually.StaysTrueAsync(() => replicas.All(r => r.State == BreakerState.Closed), "nobody opens", seconds: 0.6);

        replicas[2].Fail(4); // now 3 of 4: a strict majority
        await Eventually.AllInStateAsync(replicas, BreakerState.Open);
    }

    [Fact]
    public async Task Below_the_cluster_minimum_calls_nothing_opens()
    {
        await using var redis = await RedisServer.StartAsync();
        var replicas = await Replica.StartManyAsync(3, redis.ConnectionString, Prefix.New());
        await using var cleanup = new DisposeAll(replicas);

        foreach (var r in replicas)
        {
            r.Fail(3); // 9 < 10 cluster-wide
        }

        await Eventually.StaysTrueAsync(() => replicas.All(r => r.State == BreakerState.Closed), "below minimum calls", seconds: 0.6);
        replicas[0].Fail(1);
        await Eventually.AllInStateAsync(replicas, BreakerState.Open);
    }

    [Fact]
    public async Task A_quorum_of_one_lets_a_single_replica_open_the_cluster()
    {
        await using var redis = await RedisServer.StartAsync();
        var replicas = await Replica.StartManyAsync(2, redis.ConnectionString, Prefix.New(),
            configure: o => { o.QuorumMinReplicas = 1; o.QuorumFraction = 0; o.MinimumCalls = 4; });
        await using var cleanup = new DisposeAll(replicas);

        replicas[0].Fail(4);

        await Eventually.AllInStateAsync(replicas, BreakerState.Open);
    }

    [Fact]
    public async Task Local_mode_shares_nothing_and_writes_nothing()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        var replicas = new[]
        {
            await Replica.StartAsync(redis.ConnectionString, Replica.Options(prefix, SharingMode.Local, "r1"), waitAvailable: false),
            await Replica.StartAsync(redis.ConnectionString, Replica.Options(prefix, SharingMode.Local, "r2"), waitAvailable: false),
        };
        await using var cleanup = new DisposeAll(replicas);
        Assert.True(await replicas[0].Coordinator.WaitUntilAvailableAsync(TimeSpan.FromSeconds(10)));

        replicas[0].Fail(5);
        replicas[0].Breaker.Isolate();
        replicas[1].Fail(4);

        await Eventually.StaysTrueAsync(() => replicas[1].State == BreakerState.Closed, "the other replica is not affected", seconds: 0.4);
        await using var admin = await redis.ConnectAdminAsync();
        var keys = admin.GetServer(redis.Endpoint).Keys(pattern: prefix + "*").ToArray();
        Assert.Empty(keys);
        Assert.Equal(SharingMode.Local, replicas[0].Status.Mode);
    }

    [Fact]
    public async Task Counts_go_to_per_bucket_hashes_tagged_by_replica_with_an_expiry()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        var replicas = await Replica.StartManyAsync(2, redis.ConnectionString, prefix);
        await using var cleanup = new DisposeAll(replicas);

        replicas[0].Succeed(7);
        replicas[1].Fail(2);

        await using var admin = await redis.ConnectAdminAsync();
        var server = admin.GetServer(redis.Endpoint);
        var db = admin.GetDatabase();
        await Eventually.TrueAsync(() =>
        {
            var buckets = server.Keys(pattern: $"{prefix}:{{{Replica.BreakerName}}}:w:*").ToArray();
            long c1 = buckets.Sum(k => (long?)db.HashGet(k, "r1|c") ?? 0);
            long c2 = buckets.Sum(k => (long?)db.HashGet(k, "r2|c") ?? 0);
            long f2 = buckets.Sum(k => (long?)db.HashGet(k, "r2|f") ?? 0);
            return c1 == 7 && c2 == 2 && f2 == 2;
        }, "counts of both replicas in the bucket hashes");

        foreach (var key in server.Keys(pattern: $"{prefix}:{{{Replica.BreakerName}}}:w:*"))
        {
            var ttl = await db.KeyTimeToLiveAsync(key);
            Assert.NotNull(ttl);
            Assert.InRange(ttl.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(13)); // window 10 s + 2 buckets
        }

        var state = await db.HashGetAllAsync($"{prefix}:{{{Replica.BreakerName}}}:state");
        Assert.Contains(state, e => e.Name == "e");
        Assert.NotNull(await db.KeyTimeToLiveAsync($"{prefix}:{{{Replica.BreakerName}}}:state"));
    }

    [Fact]
    public async Task Different_prefixes_are_different_services()
    {
        await using var redis = await RedisServer.StartAsync();
        var a = await Replica.StartManyAsync(2, redis.ConnectionString, Prefix.New(), SharingMode.Any);
        var b = await Replica.StartManyAsync(2, redis.ConnectionString, Prefix.New(), SharingMode.Any);
        await using var cleanup = new DisposeAll([.. a, .. b]);

        a[0].Breaker.Isolate("only service a");

        await Eventually.TrueAsync(() => a[1].State == BreakerState.Isolated, "the same service sees it");
        await Eventually.StaysTrueAsync(() => b.All(r => r.State == BreakerState.Closed), "another prefix does not", seconds: 0.3);
    }
}

internal sealed class DisposeAll(IEnumerable<Replica> replicas) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        foreach (var r in replicas)
        {
            await r.DisposeAsync();
        }
    }
}
