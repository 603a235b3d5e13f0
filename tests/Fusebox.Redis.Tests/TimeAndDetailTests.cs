using Fusebox.Redis.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Redis.Tests;

/// <summary>Issue 14, defect 10: the coordinator reads time only through its TimeProvider (by default the registry's),
/// and the public status never carries the Redis client's error text (hosts, ports).</summary>
public class TimeAndDetailTests
{
    private static readonly DateTimeOffset FakeStart = new(2031, 3, 4, 5, 6, 7, TimeSpan.Zero);

    [Fact]
    public async Task The_coordinator_runs_on_the_registrys_clock_by_default()
    {
        await using var redis = await RedisServer.StartAsync();
        var time = new FakeTimeProvider(FakeStart);
        using var registry = new CircuitBreakerRegistry(new CircuitBreakerRegistryOptions { DefaultOptions = Replica.BreakerOptions() }, time);
        registry.GetOrAdd(Replica.BreakerName);
        var options = Replica.Options(Prefix.New(), id: "r1");
        options.TimeProvider = null; // the default: the registry's
        await using var coordinator = new RedisStateCoordinator(registry, redis.ConnectionString, options);

        // Connecting needs no time to pass; the first sync is stamped with the fake clock, not the system's.
        Assert.True(await coordinator.WaitUntilAvailableAsync(TimeSpan.FromSeconds(10)));
        await Eventually.TrueAsync(() => coordinator.GetStatus(Replica.BreakerName)?.LastSyncedAt is not null, "first sync");
        Assert.Equal(FakeStart, coordinator.GetStatus(Replica.BreakerName)!.LastSyncedAt);
    }

    [Fact]
    public async Task While_redis_is_unreachable_the_status_and_the_snapshot_detail_say_why_without_host_or_port()
    {
        RedisServer.RequireBinary();
        int port = RedisServer.FreePort();
        var time = new FakeTimeProvider(FakeStart);
        using var registry = new CircuitBreakerRegistry(new CircuitBreakerRegistryOptions { DefaultOptions = Replica.BreakerOptions() }, time);
        var breaker = registry.GetOrAdd(Replica.BreakerName);
        var options = Replica.Options(Prefix.New(), id: "r1");
        options.TimeProvider = null;
        await using var coordinator = new RedisStateCoordinator(registry, $"127.0.0.1:{port},connectTimeout=200", options);

        await Eventually.TrueAsync(() => coordinator.UnavailableReason is not "not connected yet", "first connection attempt failed");
        Assert.StartsWith("connection failed (", coordinator.UnavailableReason, StringComparison.Ordinal); // the failure type, e.g. UnableToConnect
        Assert.Equal(FakeStart, coordinator.UnavailableSince);
        string detail = breaker.Snapshot().Coordination!.Detail!;
        Assert.DoesNotContain("127.0.0.1", detail, StringComparison.Ordinal);
        Assert.DoesNotContain(port.ToString(System.Globalization.CultureInfo.InvariantCulture), detail, StringComparison.Ordinal);
        Assert.Contains(coordinator.UnavailableReason!, detail, StringComparison.Ordinal);
    }
}
