using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Redis.Tests.Support;

/// <summary>
/// A replica whose coordinator runs on a <see cref="FakeTimeProvider"/>: its loop ticks only when the test advances the
/// clock (<see cref="TickAsync"/>), so a test can say "within one tick" and count the Redis commands of exactly N ticks.
/// Redis itself (scripts, pub/sub, replies) runs in real time; only the coordinator's waiting is on the fake clock.
/// </summary>
internal sealed class ClockedReplica(CircuitBreakerRegistry registry, RedisStateCoordinator coordinator, FakeTimeProvider time, TimeSpan tick)
    : IAsyncDisposable
{
    public RedisStateCoordinator Coordinator => coordinator;

    public TimeSpan Tick => tick;

    public CircuitBreaker this[string name] => registry.GetOrAdd(name);

    /// <summary>Options for a replica on the fake clock: flush (tick) every 100 ms, the change log read at every tick,
    /// the given sweep interval.</summary>
    public static RedisStateOptions Options(string prefix, string id, TimeSpan sweep) => new()
    {
        KeyPrefix = prefix,
        ReplicaId = id,
        Mode = SharingMode.Any,
        FlushInterval = TimeSpan.FromMilliseconds(100),
        SweepInterval = sweep,
        StateTimeToLive = TimeSpan.FromTicks(Math.Max(TimeSpan.FromHours(1).Ticks, sweep.Ticks * 4)),
        OperationTimeout = TimeSpan.FromSeconds(2),
    };

    /// <summary>Starts a coordinator sharing the named breakers, and waits until it has synced every one of them.</summary>
    public static async Task<ClockedReplica> StartAsync(string connectionString, RedisStateOptions options, IReadOnlyList<string> breakers,
        CircuitBreakerOptions? breaker = null)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        options.TimeProvider = time;
        var registry = new CircuitBreakerRegistry(new CircuitBreakerRegistryOptions { DefaultOptions = breaker ?? Replica.BreakerOptions() }, time);
        foreach (string name in breakers)
        {
            registry.GetOrAdd(name);
        }

        var coordinator = new RedisStateCoordinator(registry, connectionString, options);
        var replica = new ClockedReplica(registry, coordinator, time, options.FlushInterval);
        Assert.True(await coordinator.WaitUntilAvailableAsync(TimeSpan.FromSeconds(10)), "the coordinator did not connect to redis-server");
        await Eventually.TrueAsync(() => breakers.All(n => coordinator.GetStatus(n)?.ClusterGeneration is not null) && coordinator.LoopProgress.Parked,
            "first sync of every breaker", seconds: 30);
        return replica;
    }

    /// <summary>Advances the coordinator's clock by one flush interval at a time and waits until each tick has run and
    /// the loop waits for the clock again.</summary>
    /// <summary>Moves the clock (coordinator and breakers) by <paramref name="by"/> at once and waits for the tick that follows.</summary>
    public async Task JumpAsync(TimeSpan by)
    {
        await Eventually.TrueAsync(() => Coordinator.LoopProgress.Parked, "the loop waits for its clock");
        long done = Coordinator.LoopProgress.Ticks;
        time.Advance(by);
        await Eventually.TrueAsync(() => Coordinator.LoopProgress is { Parked: true } p && p.Ticks > done, "the tick ran", seconds: 30);
    }

    public async Task TickAsync(int ticks = 1)
    {
        for (int i = 0; i < ticks; i++)
        {
            await Eventually.TrueAsync(() => Coordinator.LoopProgress.Parked, "the loop waits for its clock");
            long done = Coordinator.LoopProgress.Ticks;
            time.Advance(tick);
            await Eventually.TrueAsync(() => Coordinator.LoopProgress is { Parked: true } p && p.Ticks > done, "the tick ran", seconds: 30);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await coordinator.DisposeAsync();
        registry.Dispose();
    }
}
