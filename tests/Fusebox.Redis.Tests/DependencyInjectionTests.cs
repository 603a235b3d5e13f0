using Fusebox.Extensions;
using Fusebox.Redis.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Fusebox.Redis.Tests;

/// <summary>services.AddFusebox().AddRedisState(...): sharing starts with the registry, host or no host.</summary>
public class DependencyInjectionTests
{
    private static ServiceProvider Build(Action<FuseboxBuilder> redis, Action<IServiceCollection>? more = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        redis(services.AddFusebox());
        more?.Invoke(services);
        return services.BuildServiceProvider();
    }

    private static Action<RedisStateOptions> Configure(string prefix, string id) => o =>
    {
        o.KeyPrefix = prefix;
        o.ReplicaId = id;
        o.FlushInterval = TimeSpan.FromMilliseconds(50);
    };

    [Fact]
    public async Task Two_service_providers_with_a_connection_string_share_a_breaker()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        await using var a = Build(f => f.AddRedisState(redis.ConnectionString, Configure(prefix, "a")));
        await using var b = Build(f => f.AddRedisState(redis.ConnectionString, Configure(prefix, "b")));

        // Resolving the registry is enough: the coordinator comes with it.
        var ra = a.GetRequiredService<CircuitBreakerRegistry>();
        var rb = b.GetRequiredService<CircuitBreakerRegistry>();
        var fraudA = ra.GetOrAdd("fraud");
        var fraudB = rb.GetOrAdd("fraud");
        Assert.True(await a.GetRequiredService<RedisStateCoordinator>().WaitUntilAvailableAsync(TimeSpan.FromSeconds(10)));
        Assert.True(await b.GetRequiredService<RedisStateCoordinator>().WaitUntilAvailableAsync(TimeSpan.FromSeconds(10)));
        await Eventually.TrueAsync(() => b.GetRequiredService<RedisStateCoordinator>().GetStatus("fraud")?.ClusterGeneration is not null, "synced");

        fraudA.Isolate("from provider a");

        await Eventually.TrueAsync(() => fraudB.State == BreakerState.Isolated, "provider b's breaker is isolated too");
        Assert.Equal("b", b.GetRequiredService<RedisStateCoordinator>().ReplicaId);
    }

    [Fact]
    public async Task The_coordinator_runs_on_the_containers_time_provider_unless_the_options_name_another()
    {
        await using var redis = await RedisServer.StartAsync();
        var fake = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2031, 1, 2, 3, 4, 5, TimeSpan.Zero));
        await using var container = Build(f => f.AddRedisState(redis.ConnectionString, Configure(Prefix.New(), "a")),
            services => services.AddSingleton<TimeProvider>(fake));
        container.GetRequiredService<CircuitBreakerRegistry>().GetOrAdd("fraud");
        var coordinator = container.GetRequiredService<RedisStateCoordinator>();
        Assert.True(await coordinator.WaitUntilAvailableAsync(TimeSpan.FromSeconds(10)));
        await Eventually.TrueAsync(() => coordinator.GetStatus("fraud")?.LastSyncedAt is not null, "synced");
        Assert.Equal(fake.GetUtcNow(), coordinator.GetStatus("fraud")!.LastSyncedAt);

        await using var system = Build(f => f.AddRedisState(redis.ConnectionString, o =>
        {
            Configure(Prefix.New(), "b")(o);
            o.TimeProvider = TimeProvider.System;
        }), services => services.AddSingleton<TimeProvider>(fake));
        system.GetRequiredService<CircuitBreakerRegistry>().GetOrAdd("fraud");
        var onSystemTime = system.GetRequiredService<RedisStateCoordinator>();
        Assert.True(await onSystemTime.WaitUntilAvailableAsync(TimeSpan.FromSeconds(10)));
        await Eventually.TrueAsync(() => onSystemTime.GetStatus("fraud")?.LastSyncedAt is not null, "synced");
        Assert.True(onSystemTime.GetStatus("fraud")!.LastSyncedAt > DateTimeOffset.UtcNow.AddMinutes(-1), "the system clock, not the container's fake one");
    }

    [Fact]
    public async Task A_given_connection_is_used_and_not_disposed_with_the_container()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint);
        var provider = Build(f => f.AddRedisState(connection, Configure(Prefix.New(), "a")));
        var coordinator = provider.GetRequiredService<RedisStateCoordinator>();
        Assert.True(await coordinator.WaitUntilAvailableAsync(TimeSpan.FromSeconds(10)));
        Assert.Same(coordinator, provider.GetRequiredService<RedisStateCoordinator>());

        await provider.DisposeAsync();

        Assert.True(connection.IsConnected);
        Assert.Equal(TimeSpan.Zero, (await connection.GetDatabase().PingAsync()) * 0);
    }

    [Fact]
    public async Task A_connection_from_the_container_can_be_used()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var provider = Build(
            f => f.AddRedisState(sp => sp.GetRequiredService<IConnectionMultiplexer>(), Configure(Prefix.New(), "a")),
            s => s.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(redis.Endpoint)));

        Assert.True(await provider.GetRequiredService<RedisStateCoordinator>().WaitUntilAvailableAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Adding_twice_or_with_invalid_options_fails_clearly()
    {
        var services = new ServiceCollection();
        var builder = services.AddFusebox().AddRedisState("127.0.0.1:1");
        Assert.Throws<InvalidOperationException>(() => builder.AddRedisState("127.0.0.1:1"));

        using var provider = Build(f => f.AddRedisState("127.0.0.1:1", o => o.FlushInterval = TimeSpan.Zero));
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<CircuitBreakerRegistry>());
        Assert.Contains("FlushInterval", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_health_check_is_healthy_while_shared_and_degraded_on_local_fallback()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var provider = Build(f => f.AddRedisState(redis.ConnectionString, o =>
            {
                Configure(Prefix.New(), "a")(o);
                o.OperationTimeout = TimeSpan.FromMilliseconds(300);
                o.ReconnectInterval = TimeSpan.FromMilliseconds(200);
            }),
            s => s.AddHealthChecks().AddFuseboxRedisHealthCheck());
        provider.GetRequiredService<CircuitBreakerRegistry>().GetOrAdd("fraud");
        var coordinator = provider.GetRequiredService<RedisStateCoordinator>();
        Assert.True(await coordinator.WaitUntilAvailableAsync(TimeSpan.FromSeconds(10)));
        var health = provider.GetRequiredService<HealthCheckService>();

        var healthy = await health.CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.Equal("available", healthy.Entries["fusebox-redis"].Data["redis"]);

        await redis.KillAsync();
        await Eventually.TrueAsync(() => !coordinator.IsRedisAvailable, "fallback");
        var degraded = await health.CheckHealthAsync();

        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Contains("run on local state only", degraded.Entries["fusebox-redis"].Description, StringComparison.Ordinal);
    }
}
