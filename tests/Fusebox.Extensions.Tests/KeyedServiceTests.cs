using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Fusebox.Extensions.Tests;

/// <summary><c>[FromKeyedServices(name)]</c> resolves the registry's breaker of that name, and a caller around it.</summary>
public class KeyedServiceTests
{
    private static readonly Dictionary<string, string?> FraudTripsAfterTwo = new() { ["Fusebox:Breakers:fraud:FailureThreshold"] = "2" };

    [Fact]
    public async Task A_keyed_breaker_is_the_registrys_instance_with_the_configured_options()
    {
        await using var host = await TestHost.StartAsync(FraudTripsAfterTwo);

        var breaker = host.Services.GetRequiredKeyedService<CircuitBreaker>("fraud");

        Assert.Same(host.Registry.GetOrAdd("fraud"), breaker);
        Assert.Same(breaker, host.Services.GetRequiredKeyedService<CircuitBreaker>("fraud"));
        breaker.FailTimes(2);
        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.Equal(BreakerState.Open, Assert.Single(host.Registry.Report()).State); // what the admin API and health check read
    }

    [Fact]
    public async Task A_reload_reconfigures_the_keyed_breaker_in_place()
    {
        await using var host = await TestHost.StartAsync(FraudTripsAfterTwo);
        var breaker = host.Services.GetRequiredKeyedService<CircuitBreaker>("fraud");

        host.Reload(new Dictionary<string, string?> { ["Fusebox:Breakers:fraud:FailureThreshold"] = "4" });
        breaker.FailTimes(3);

        Assert.Equal(BreakerState.Closed, breaker.State);
        Assert.Same(breaker, host.Services.GetRequiredKeyedService<CircuitBreaker>("fraud"));
        breaker.FailTimes(1);
        Assert.Equal(BreakerState.Open, breaker.State);
    }

    [Fact]
    public async Task After_the_registry_evicts_an_idle_breaker_the_key_resolves_its_replacement_not_a_cached_copy()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?> { ["Fusebox:EvictAfterIdle"] = "00:01:00" });
        var first = host.Services.GetRequiredKeyedService<CircuitBreaker>("fraud");

        host.Time.Advance(TimeSpan.FromMinutes(1)); // no call since it was created: idle
        Assert.Equal(1, host.Registry.EvictIdle());

        var second = host.Services.GetRequiredKeyedService<CircuitBreaker>("fraud");
        Assert.NotSame(first, second);
        Assert.True(host.Registry.TryGet("fraud", out var registered));
        Assert.Same(registered, second);
    }

    [Fact]
    public async Task A_keyed_caller_wraps_the_registrys_breaker_with_the_options_configured_for_its_name()
    {
        await using var host = await TestHost.StartAsync(FraudTripsAfterTwo, (services, configuration) =>
            services.AddFusebox(configuration).ConfigureCaller("fraud", o => o.Retry.MaxAttempts = 1));
        int calls = 0;

        var caller = host.Services.GetRequiredKeyedService<ResilientCaller>("fraud");
        var other = host.Services.GetRequiredKeyedService<ResilientCaller>("ledger");
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await caller.ExecuteAsync<int>(_ =>
        {
            calls++;
            throw new InvalidOperationException("down");
        }));

        Assert.Same(host.Registry.GetOrAdd("fraud"), caller.Breaker);
        Assert.Same(host.Registry.GetOrAdd("ledger"), other.Breaker);
        Assert.Equal(1, calls); // MaxAttempts = 1: no retry; the defaults would have made 3 attempts
    }

    [Fact]
    public async Task An_invalid_caller_option_fails_the_host_start_naming_the_option()
    {
        var host = TestHost.Build(new Dictionary<string, string?>(), (services, configuration) =>
            services.AddFusebox(configuration).ConfigureCaller("fraud", o => o.Retry.MaxAttempts = 0));

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.Host.StartAsync());

        Assert.Contains("Resilient caller 'fraud'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("RetryOptions.MaxAttempts", ex.Message, StringComparison.Ordinal);
        host.Host.Dispose();
    }

    [Fact]
    public void A_key_that_is_not_a_breaker_name_fails_clearly()
    {
        var services = new ServiceCollection();
        services.AddFusebox();
        using var sp = services.BuildServiceProvider();

        var ex = Assert.Throws<InvalidOperationException>(() => sp.GetRequiredKeyedService<CircuitBreaker>(42));

        Assert.Equal("Fusebox resolves a keyed CircuitBreaker or ResilientCaller by breaker name: the service key must be a non-empty string (was '42' of type Int32).", ex.Message);
    }

    [Fact]
    public void A_constructor_parameter_with_FromKeyedServices_gets_the_named_breaker_and_caller()
    {
        var services = new ServiceCollection();
        services.AddFusebox();
        using var sp = services.BuildServiceProvider();

        var client = ActivatorUtilities.CreateInstance<FraudClient>(sp);

        var registry = sp.GetRequiredService<CircuitBreakerRegistry>();
        Assert.Same(registry.GetOrAdd("fraud"), client.Breaker);
        Assert.Same(registry.GetOrAdd("fraud"), client.Caller.Breaker);
    }

    private sealed class FraudClient([FromKeyedServices("fraud")] CircuitBreaker breaker, [FromKeyedServices("fraud")] ResilientCaller caller)
    {
        public CircuitBreaker Breaker { get; } = breaker;

        public ResilientCaller Caller { get; } = caller;
    }
}
