using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Fusebox.Extensions.Tests;

public class RegistrationTests
{
    [Fact]
    public async Task AddFusebox_registers_one_registry_wired_to_the_containers_clock_and_meter_factory()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?>());

        var registry = host.Registry;
        Assert.Same(registry, host.Services.GetRequiredService<CircuitBreakerRegistry>());
        Assert.Same(host.Time, registry.TimeProvider);
        Assert.Same(host.Services.GetRequiredService<IMeterFactory>(), registry.Metrics.Meter.Scope);

        var breaker = registry.GetOrAdd("svc");
        breaker.FailTimes(5);
        host.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(breaker.TryAcquire(out _));
        Assert.Equal(BreakerState.HalfOpen, breaker.State);
    }

    [Fact]
    public void AddFusebox_twice_registers_once()
    {
        var services = new ServiceCollection();
        services.AddFusebox();
        services.AddFusebox(o => o.MaxBreakers = 10);

        Assert.Single(services, d => d.ServiceType == typeof(CircuitBreakerRegistry));
        using var sp = services.BuildServiceProvider();
        Assert.Equal(10, sp.GetRequiredService<IOptions<FuseboxOptions>>().Value.MaxBreakers);
    }

    [Fact]
    public void Works_without_a_host_and_fails_clearly_on_a_bad_value()
    {
        var services = new ServiceCollection();
        services.AddFusebox(o => o.Defaults.HalfOpenPermits = 0);
        using var sp = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<CircuitBreakerRegistry>());

        Assert.Contains("Fusebox:Defaults:HalfOpenPermits", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[1, 1000]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_configured_in_code_are_used()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?>(), (services, _) =>
            services.AddFusebox(o => o.Breakers["payments"] = new BreakerConfiguration { FailureThreshold = 2 }));

        var breaker = host.Registry.GetOrAdd("payments");
        breaker.FailTimes(2);

        Assert.Equal(BreakerState.Open, breaker.State);
    }

    [Fact]
    public async Task ConfigureBreakers_sets_what_json_cannot()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?>(), (services, configuration) =>
            services.AddFusebox(configuration).ConfigureBreakers((name, o) =>
            {
                o.TripPolicy = TripPolicy.ConsecutiveFailures(1);
                o.ShouldHandleException = ex => ex is TimeoutException;
            }));
        var breaker = host.Registry.GetOrAdd("svc");

        Assert.Throws<InvalidOperationException>(() => breaker.Execute<int>(_ => throw new InvalidOperationException()));
        Assert.Equal(BreakerState.Closed, breaker.State);
        Assert.Throws<TimeoutException>(() => breaker.Execute<int>(_ => throw new TimeoutException()));
        Assert.Equal(BreakerState.Open, breaker.State);
    }
}
