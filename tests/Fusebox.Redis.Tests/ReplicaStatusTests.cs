using Fusebox.Coordination;
using Fusebox.Redis.Tests.Support;
using StackExchange.Redis;

namespace Fusebox.Redis.Tests;

/// <summary>Each replica's own status of a shared breaker in <c>prefix:{name}:replicas</c>, written when its local
/// state or scope changes and read on demand through <see cref="ReplicaStatusExtensions.ReadReplicasAsync"/>.</summary>
public class ReplicaStatusTests
{
    [Fact]
    public async Task Any_replica_reads_every_replicas_own_state_and_scope()
    {
        await using var redis = await RedisServer.StartAsync();
        var replicas = await Replica.StartManyAsync(2, redis.ConnectionString, Prefix.New());
        await using var cleanup = new DisposeAll(replicas);
        await Eventually.TrueAsync(async () => (await ReadAsync(replicas[1])).Replicas.Count == 2, "both replicas reported");

        replicas[0].Fail(5); // quorum: r1 trips alone, r2 stays closed
        Assert.Equal(BreakerState.Open, replicas[0].State);

        await Eventually.TrueAsync(async () => (await ReadAsync(replicas[1])).Replicas is [{ LocalState: BreakerState.Open }, _], "r1 reported its open state");
        var report = await ReadAsync(replicas[1]);
        Assert.Null(report.Unavailable);
        Assert.Equal(0, report.Skipped);
        Assert.Equal(["r1", "r2"], report.Replicas.Select(r => r.ReplicaId));
        Assert.Equal(("local", false), (report.Replicas[0].Scope, report.Replicas[0].LocalFallback));
        Assert.Equal((BreakerState.Closed, "cluster"), (report.Replicas[1].LocalState, report.Replicas[1].Scope));
        Assert.NotNull(report.Replicas[1].LastSyncedAt);
    }

    [Fact]
    public async Task A_state_adopted_from_the_cluster_is_reported_by_the_replica_that_adopted_it()
    {
        await using var redis = await RedisServer.StartAsync();
        var replicas = await Replica.StartManyAsync(2, redis.ConnectionString, Prefix.New());
        await using var cleanup = new DisposeAll(replicas);

        replicas[0].Breaker.Isolate("maintenance");
        await Eventually.AllInStateAsync(replicas, BreakerState.Isolated);

        await Eventually.TrueAsync(async () => (await ReadAsync(replicas[0])).Replicas is
            [{ LocalState: BreakerState.Isolated }, { ReplicaId: "r2", LocalState: BreakerState.Isolated, Scope: "cluster" }], "r2 reported the isolation it adopted");
    }

    [Fact]
    public async Task Corrupt_entries_are_skipped_and_counted_never_thrown()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        await using var replica = await Replica.StartAsync(redis.ConnectionString, Replica.Options(prefix, id: "r1"));
        await Eventually.TrueAsync(async () => (await ReadAsync(replica)).Replicas.Count == 1, "r1 reported");
        await using var admin = await redis.ConnectAdminAsync();
        RedisKey key = $"{prefix}:{{{Replica.BreakerName}}}:replicas";
        await admin.GetDatabase().HashSetAsync(key,
        [
            new HashEntry("garbage", "not a status"),
            new HashEntry("unknown-state", "1|Melting|c|0|-|1700000000000"),
            new HashEntry("bad-time", "1|Open|c|0|-|-5"),
            new HashEntry("bad-scope", "1|Open|x|0|-|1700000000000"),
            new HashEntry("next-format", "2|Open|c|0|-|1700000000000"),
            new HashEntry("evil\nid", "1|Open|c|0|-|1700000000000"),
            new HashEntry("r9", "1|HalfOpen|l|1|1700000000000|1700000001000"),
        ]);

        var report = await ReadAsync(replica);

        Assert.Equal(6, report.Skipped);
        Assert.Equal(["r1", "r9"], report.Replicas.Select(r => r.ReplicaId));
        Assert.Equal(new ReplicaStatus
        {
            ReplicaId = "r9",
            LocalState = BreakerState.HalfOpen,
            Scope = "local",
            LocalFallback = true,
            LastSyncedAt = DateTimeOffset.FromUnixTimeMilliseconds(1700000000000),
            ReportedAt = DateTimeOffset.FromUnixTimeMilliseconds(1700000001000),
        }, report.Replicas[1]);
    }

    [Fact]
    public async Task A_replicas_key_of_another_type_is_that_breakers_problem_not_a_fallback_for_all()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        var replicas = await Replica.StartManyAsync(2, redis.ConnectionString, prefix);
        await using var cleanup = new DisposeAll(replicas);
        await using var admin = await redis.ConnectAdminAsync();
        await admin.GetDatabase().StringSetAsync($"{prefix}:{{{Replica.BreakerName}}}:replicas", "not a hash");

        replicas[0].Breaker.Isolate("maintenance"); // each replica then writes its status into the string key: WRONGTYPE
        await Eventually.AllInStateAsync(replicas, BreakerState.Isolated);

        Assert.Equal("the replicas key is not a hash", (await ReadAsync(replicas[1])).Unavailable);
        await Eventually.StaysTrueAsync(() => replicas.All(r => r.Coordinator.IsRedisAvailable), "no replica fell back", seconds: 0.3);
        replicas[1].Breaker.Reset("done");
        await Eventually.AllInStateAsync(replicas, BreakerState.Closed); // sharing still works
    }

    [Fact]
    public async Task Without_redis_the_read_says_so_instead_of_throwing()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var replica = await Replica.StartAsync(redis.ConnectionString, Replica.Options(Prefix.New(), id: "r1"));
        await redis.KillAsync();
        await Eventually.TrueAsync(() => !replica.Coordinator.IsRedisAvailable, "the coordinator noticed");

        var report = await ReadAsync(replica);

        Assert.Equal("Redis unavailable", report.Unavailable);
        Assert.Empty(report.Replicas);
    }

    [Fact]
    public async Task A_breaker_the_coordinator_does_not_share_has_no_replica_reader()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var replica = await Replica.StartAsync(redis.ConnectionString, Replica.Options(Prefix.New(), SharingMode.Local, id: "r1"), waitAvailable: false);
        Assert.True(await replica.Coordinator.WaitUntilAvailableAsync(TimeSpan.FromSeconds(10)));
        Assert.NotNull(replica.Coordinator.GetStatus(Replica.BreakerName)); // tracked, in Local mode

        Assert.False(replica.Breaker.HasReplicaStatus());
        Assert.Null(await replica.Breaker.ReadReplicasAsync(TestContext.Current.CancellationToken));
    }

    private static async Task<ReplicaReport> ReadAsync(Replica replica) =>
        (await replica.Breaker.ReadReplicasAsync(TestContext.Current.CancellationToken))!;
}
