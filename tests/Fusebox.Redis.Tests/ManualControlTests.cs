using Fusebox.Redis.Tests.Support;

namespace Fusebox.Redis.Tests;

/// <summary>Manual isolate, disable and reset from any replica apply to all; late joiners adopt the shared state.</summary>
public class ManualControlTests
{
    [Fact]
    public async Task Isolate_on_one_replica_isolates_all_and_reset_on_another_closes_all()
    {
        await using var redis = await RedisServer.StartAsync();
        var replicas = await Replica.StartManyAsync(3, redis.ConnectionString, Prefix.New());
        await using var cleanup = new DisposeAll(replicas);

        replicas[0].Breaker.Isolate("maintenance by alice");
        await Eventually.AllInStateAsync(replicas, BreakerState.Isolated);
        Assert.Contains("maintenance by alice", replicas[2].Breaker.Snapshot().LastReasonDescription, StringComparison.Ordinal);
        Assert.Equal(TransitionReason.External, replicas[2].Breaker.Snapshot().LastReason);

        replicas[2].Breaker.Reset("done");
        await Eventually.AllInStateAsync(replicas, BreakerState.Closed);
        Assert.True(replicas[0].Breaker.TryAcquire(out var permit));
        permit.RecordSuccess();
    }

    [Fact]
    public async Task Disable_on_one_replica_disables_all_and_they_keep_measuring_without_tripping()
    {
        await using var redis = await RedisServer.StartAsync();
        var replicas = await Replica.StartManyAsync(2, redis.ConnectionString, Prefix.New(), SharingMode.Any);
        await using var cleanup = new DisposeAll(replicas);

        replicas[1].Breaker.Disable("load test");
        await Eventually.AllInStateAsync(replicas, BreakerState.Disabled);

        Assert.Equal(20, replicas[0].Fail(20));
        await Eventually.StaysTrueAsync(() => replicas.All(r => r.State == BreakerState.Disabled), "disabled never trips", seconds: 0.3);
        Assert.Equal(20, replicas[0].Breaker.Snapshot().FailedCalls);
    }

    [Fact]
    public async Task Coordinator_reset_clears_a_replica_that_tripped_only_locally()
    {
        await using var redis = await RedisServer.StartAsync();
        var replicas = await Replica.StartManyAsync(2, redis.ConnectionString, Prefix.New());
        await using var cleanup = new DisposeAll(replicas);
        replicas[0].Fail(5);
        Assert.Equal(BreakerState.Open, replicas[0].State);

        // Reset on a replica that is already closed changes nothing there; the coordinator's reset is cluster-wide.
        Assert.True(await replicas[1].Coordinator.ResetAsync(Replica.BreakerName, "dependency fixed"));

        await Eventually.AllInStateAsync(replicas, BreakerState.Closed);
        Assert.Contains("reset: dependency fixed", replicas[0].Breaker.Snapshot().LastReasonDescription, StringComparison.Ordinal);
        Assert.Equal(0, replicas[0].Breaker.Snapshot().Window.Failures);
    }

    [Fact]
    public async Task Reset_on_a_replica_that_is_already_closed_still_resets_every_replica()
    {
        await using var redis = await RedisServer.StartAsync();
        var replicas = await Replica.StartManyAsync(2, redis.ConnectionString, Prefix.New());
        await using var cleanup = new DisposeAll(replicas);
        replicas[0].Fail(5);
        Assert.Equal(BreakerState.Open, replicas[0].State);
        await Eventually.TrueAsync(() => replicas[0].Status.Scope == StateScope.Local, "tripped locally only");

        // What the admin API does on replica 2, whose own breaker is closed: the operator means every replica.
        replicas[1].Breaker.Reset("dependency fixed, says bob");

        await Eventually.AllInStateAsync(replicas, BreakerState.Closed);
        Assert.Contains("dependency fixed, says bob", replicas[0].Breaker.Snapshot().LastReasonDescription, StringComparison.Ordinal);
        Assert.Equal(TransitionReason.External, replicas[0].Breaker.Snapshot().LastReason);
    }

    [Fact]
    public async Task Coordinator_isolate_and_disable_apply_everywhere_and_report_success()
    {
        await using var redis = await RedisServer.StartAsync();
        var replicas = await Replica.StartManyAsync(2, redis.ConnectionString, Prefix.New());
        await using var cleanup = new DisposeAll(replicas);

        Assert.True(await replicas[0].Coordinator.IsolateAsync(Replica.BreakerName, "incident 42"));
        await Eventually.AllInStateAsync(replicas, BreakerState.Isolated);
        Assert.True(await replicas[1].Coordinator.DisableAsync(Replica.BreakerName));
        await Eventually.AllInStateAsync(replicas, BreakerState.Disabled);
        await Assert.ThrowsAsync<ArgumentException>(() => replicas[0].Coordinator.ResetAsync("no-such-breaker"));
    }

    [Fact]
    public async Task A_replica_that_starts_later_adopts_the_shared_state()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        var first = await Replica.StartManyAsync(1, redis.ConnectionString, prefix);
        await using var cleanup = new DisposeAll(first);
        first[0].Breaker.Isolate("before the second replica started");
        await Eventually.TrueAsync(() => first[0].Status.ClusterState == BreakerState.Isolated, "isolated in Redis");

        await using var late = await Replica.StartAsync(redis.ConnectionString, Replica.Options(prefix, id: "late"));

        await Eventually.TrueAsync(() => late.State == BreakerState.Isolated, "the late replica adopts it");
        Assert.Equal(StateScope.Cluster, late.Status.Scope);
    }

    [Fact]
    public async Task Breakers_added_to_the_registry_later_are_shared_too()
    {
        await using var redis = await RedisServer.StartAsync();
        var replicas = await Replica.StartManyAsync(2, redis.ConnectionString, Prefix.New());
        await using var cleanup = new DisposeAll(replicas);

        var a = replicas[0].Registry.GetOrAdd("inventory");
        var b = replicas[1].Registry.GetOrAdd("inventory");
        await Eventually.TrueAsync(() => replicas.All(r => r.Coordinator.GetStatus("inventory")?.ClusterGeneration is not null), "both attached and synced");
        a.Isolate();

        await Eventually.TrueAsync(() => b.State == BreakerState.Isolated, "the new breaker is shared");
        Assert.Equal(BreakerState.Closed, replicas[1].State); // other names are independent
    }

    [Fact]
    public async Task A_standalone_breaker_can_be_attached_and_detached()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        var replicas = await Replica.StartManyAsync(1, redis.ConnectionString, prefix);
        await using var cleanup = new DisposeAll(replicas);
        var standalone = new CircuitBreaker(Replica.BreakerName, Replica.BreakerOptions(), new Microsoft.Extensions.Time.Testing.FakeTimeProvider(), new FuseboxMetrics());
        using var registry = new CircuitBreakerRegistry();
        await using var coordinator = new RedisStateCoordinator(registry, redis.ConnectionString, Replica.Options(prefix, id: "standalone"));
        coordinator.Attach(standalone);
        Assert.Throws<InvalidOperationException>(() => coordinator.Attach(new CircuitBreaker(Replica.BreakerName)));
        Assert.True(await coordinator.WaitUntilAvailableAsync(TimeSpan.FromSeconds(10)));
        await Eventually.TrueAsync(() => coordinator.GetStatus(Replica.BreakerName)?.ClusterGeneration is not null, "synced");

        standalone.Isolate("from the standalone breaker");
        await Eventually.TrueAsync(() => replicas[0].State == BreakerState.Isolated, "shared");

        Assert.True(coordinator.Detach(standalone));
        replicas[0].Breaker.Reset();
        await Eventually.StaysTrueAsync(() => standalone.State == BreakerState.Isolated, "a detached breaker no longer follows", seconds: 0.3);
        Assert.Null(coordinator.GetStatus(Replica.BreakerName));
    }
}
