using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Fusebox.Extensions.Tests;

public class ConfigurationBindingTests
{
    [Fact]
    public async Task Named_breakers_layer_over_the_defaults()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Fusebox:Defaults:BreakDuration"] = "00:00:45",
            ["Fusebox:Defaults:HalfOpenPermits"] = "2",
            ["Fusebox:Breakers:fraud-service:TripPolicy"] = "FailureRate",
            ["Fusebox:Breakers:fraud-service:FailureRateThreshold"] = "0.5",
            ["Fusebox:Breakers:fraud-service:WindowSize"] = "20",
            ["Fusebox:Breakers:fraud-service:MinimumCalls"] = "10",
            ["Fusebox:Breakers:fraud-service:ProbeTimeout"] = "00:00:05",
        });

        var fraud = host.Registry.GetOrAdd("fraud-service").Options;
        var other = host.Registry.GetOrAdd("other").Options;

        var policy = Assert.IsType<CountWindowPolicy>(fraud.TripPolicy);
        Assert.Equal((0.5, 20, 10), (policy.FailureRateThreshold!.Value, policy.WindowSize, policy.MinimumCalls));
        Assert.Equal(TimeSpan.FromSeconds(45), fraud.BreakDuration);
        Assert.Equal(2, fraud.HalfOpenPermits);
        Assert.Equal(TimeSpan.FromSeconds(5), fraud.ProbeTimeout);
        Assert.IsType<ConsecutiveFailuresPolicy>(other.TripPolicy);
        Assert.Equal(TimeSpan.FromSeconds(45), other.BreakDuration);
        Assert.Equal(TimeSpan.FromSeconds(60), other.ProbeTimeout);
    }

    [Fact]
    public async Task Binds_from_appsettings_json_with_every_option()
    {
        const string json = """
            {
              "Fusebox": {
                "MaxBreakers": 500,
                "EvictAfterIdle": "00:30:00",
                "Defaults": { "TripPolicy": "ConsecutiveFailures", "FailureThreshold": 7 },
                "Breakers": {
                  "inventory": {
                    "TripPolicy": "FailureRate", "FailureRateThreshold": 0.25, "SlowCallRateThreshold": 0.8,
                    "WindowDuration": "00:00:10", "Buckets": 5, "MinimumCalls": 4,
                    "BreakDuration": "00:00:10", "MaxBreakDuration": "00:05:00", "BreakDurationBackoff": 2, "BreakDurationJitter": 0.1,
                    "HalfOpenPermits": 4, "SuccessesToClose": 2, "SlowCallThreshold": "00:00:02", "Critical": true
                  },
                  "search": { "TripPolicy": "SlowCallRate", "SlowCallRateThreshold": 0.5, "WindowSize": 50, "MinimumCalls": 5, "SlowCallThreshold": "00:00:01" }
                }
              }
            }
            """;
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var services = new ServiceCollection();
        services.AddFusebox(configuration);
        await using var sp = services.BuildServiceProvider();
        var registry = sp.GetRequiredService<CircuitBreakerRegistry>();

        var inventory = registry.GetOrAdd("inventory").Options;
        var window = Assert.IsType<TimeWindowPolicy>(inventory.TripPolicy);
        Assert.Equal((0.25, 0.8, TimeSpan.FromSeconds(10), 5, 4), (window.FailureRateThreshold!.Value, window.SlowCallRateThreshold!.Value, window.Window, window.Buckets, window.MinimumCalls));
        Assert.Equal((TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), 2.0, 0.1, 4, 2, TimeSpan.FromSeconds(2)),
            (inventory.BreakDuration, inventory.MaxBreakDuration!.Value, inventory.BreakDurationBackoff, inventory.BreakDurationJitter, inventory.HalfOpenPermits, inventory.SuccessesToClose!.Value, inventory.SlowCallThreshold!.Value));
        var search = Assert.IsType<CountWindowPolicy>(registry.GetOrAdd("search").Options.TripPolicy);
        Assert.Null(search.FailureRateThreshold);
        Assert.Equal(0.5, search.SlowCallRateThreshold);
        Assert.Equal(7, Assert.IsType<ConsecutiveFailuresPolicy>(registry.GetOrAdd("x").Options.TripPolicy).FailureThreshold);
        Assert.True(sp.GetRequiredService<FuseboxConfiguration>().IsCritical("inventory"));
        Assert.False(sp.GetRequiredService<FuseboxConfiguration>().IsCritical("search"));

        for (int i = 0; registry.Count < 500; i++)
        {
            registry.GetOrAdd("n" + i);
        }

        Assert.Throws<InvalidOperationException>(() => registry.GetOrAdd("one-too-many"));
    }

    public static TheoryData<string, string, string> BadValues => new()
    {
        { "Fusebox:Breakers:fraud:HalfOpenPermits", "0", "Fusebox:Breakers:fraud:HalfOpenPermits: CircuitBreakerOptions.HalfOpenPermits must be in [1, 1000] (was 0)" },
        { "Fusebox:Breakers:fraud:BreakDuration", "-00:00:01", "Fusebox:Breakers:fraud:BreakDuration: CircuitBreakerOptions.BreakDuration must be greater than zero" },
        { "Fusebox:Defaults:BreakDurationJitter", "1", "Fusebox:Defaults:BreakDurationJitter: CircuitBreakerOptions.BreakDurationJitter must be in [0, 1)" },
        { "Fusebox:Breakers:fraud:SuccessesToClose", "9", "Fusebox:Breakers:fraud:SuccessesToClose: CircuitBreakerOptions.SuccessesToClose must be in [1, HalfOpenPermits (3)]" },
        { "Fusebox:Breakers:fraud:FailureThreshold", "0", "Fusebox:Breakers:fraud:FailureThreshold: ConsecutiveFailures failureThreshold must be at least 1" },
        { "Fusebox:Breakers:fraud:TripPolicy", "Sometimes", "Fusebox:Breakers:fraud:TripPolicy: 'Sometimes' is not a trip policy; use ConsecutiveFailures, FailureRate or SlowCallRate" },
        { "Fusebox:MaxBreakers", "0", "Fusebox:MaxBreakers: CircuitBreakerRegistryOptions.MaxBreakers must be in [1, 10000000]" },
        { "Fusebox:EvictAfterIdle", "00:00:00", "Fusebox:EvictAfterIdle: CircuitBreakerRegistryOptions.EvictAfterIdle must be greater than zero" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public async Task A_bad_value_stops_the_host_on_start_naming_the_path_and_range(string key, string value, string expected)
    {
        var host = TestHost.Build(new Dictionary<string, string?> { [key] = value });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.Host.StartAsync());

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        host.Host.Dispose();
    }

    public static TheoryData<Dictionary<string, string?>, string> BadRatePolicies => new()
    {
        { new() { ["Fusebox:Breakers:b:TripPolicy"] = "FailureRate", ["Fusebox:Breakers:b:FailureRateThreshold"] = "1.5", ["Fusebox:Breakers:b:WindowSize"] = "10" },
            "Fusebox:Breakers:b:FailureRateThreshold: failureRateThreshold must be in (0, 1] (was 1.5)" },
        { new() { ["Fusebox:Breakers:b:TripPolicy"] = "FailureRate", ["Fusebox:Breakers:b:FailureRateThreshold"] = "0.5", ["Fusebox:Breakers:b:WindowSize"] = "0" },
            "Fusebox:Breakers:b:WindowSize: windowSize must be between 1 and 10,000,000 calls (was 0)" },
        { new() { ["Fusebox:Breakers:b:TripPolicy"] = "FailureRate", ["Fusebox:Breakers:b:FailureRateThreshold"] = "0.5", ["Fusebox:Breakers:b:WindowSize"] = "10", ["Fusebox:Breakers:b:MinimumCalls"] = "20" },
            "Fusebox:Breakers:b:MinimumCalls: minimumCalls must be between 1 and windowSize (10) (was 20)" },
        { new() { ["Fusebox:Breakers:b:TripPolicy"] = "FailureRate", ["Fusebox:Breakers:b:FailureRateThreshold"] = "0.5" },
            "Fusebox:Breakers:b: the FailureRate policy needs exactly one of WindowSize (last N calls) or WindowDuration (last span of time)" },
        { new() { ["Fusebox:Breakers:b:TripPolicy"] = "FailureRate", ["Fusebox:Breakers:b:WindowSize"] = "10" },
            "Fusebox:Breakers:b:FailureRateThreshold: required by the FailureRate policy, in (0, 1]" },
        { new() { ["Fusebox:Breakers:b:TripPolicy"] = "SlowCallRate", ["Fusebox:Breakers:b:SlowCallRateThreshold"] = "0.5", ["Fusebox:Breakers:b:WindowDuration"] = "00:00:10" },
            "Fusebox:Breakers:b:SlowCallThreshold: CircuitBreakerOptions.SlowCallThreshold is required" },
        { new() { ["Fusebox:Breakers:b:TripPolicy"] = "FailureRate", ["Fusebox:Breakers:b:FailureRateThreshold"] = "0.5", ["Fusebox:Breakers:b:WindowDuration"] = "00:00:10", ["Fusebox:Breakers:b:Buckets"] = "0" },
            "Fusebox:Breakers:b:Buckets: buckets must be between 1 and 1000 (was 0)" },
    };

    [Theory]
    [MemberData(nameof(BadRatePolicies))]
    public async Task Bad_policy_settings_name_their_configuration_key(Dictionary<string, string?> settings, string expected)
    {
        var host = TestHost.Build(settings);

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.Host.StartAsync());

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        host.Host.Dispose();
    }

    [Fact]
    public async Task Every_bad_breaker_is_reported_at_once()
    {
        var host = TestHost.Build(new Dictionary<string, string?>
        {
            ["Fusebox:Breakers:a:HalfOpenPermits"] = "0",
            ["Fusebox:Breakers:b:BreakDuration"] = "00:00:00",
        });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.Host.StartAsync());

        Assert.Equal(2, ex.Failures.Count());
        host.Host.Dispose();
    }

    [Fact]
    public async Task A_duration_that_is_not_a_timespan_names_its_path()
    {
        var host = TestHost.Build(new Dictionary<string, string?> { ["Fusebox:Defaults:BreakDuration"] = "thirty seconds" });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.Host.StartAsync());

        Assert.Contains("Fusebox:Defaults:BreakDuration: 'thirty seconds' is not a duration", ex.Message, StringComparison.Ordinal);
        host.Host.Dispose();
    }

    [Fact]
    public async Task A_named_breaker_can_switch_window_kind_over_the_defaults()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Fusebox:Defaults:TripPolicy"] = "FailureRate",
            ["Fusebox:Defaults:FailureRateThreshold"] = "0.5",
            ["Fusebox:Defaults:WindowSize"] = "100",
            ["Fusebox:Breakers:timed:WindowDuration"] = "00:01:00",
        });

        Assert.IsType<TimeWindowPolicy>(host.Registry.GetOrAdd("timed").Options.TripPolicy);
        Assert.IsType<CountWindowPolicy>(host.Registry.GetOrAdd("counted").Options.TripPolicy);
    }

    [Fact]
    public void Every_setting_of_BreakerConfiguration_has_a_configuration_key()
    {
        var properties = typeof(BreakerConfiguration).GetProperties().Select(p => p.Name).Order(StringComparer.Ordinal);

        Assert.Equal(properties, BreakerConfigurationKeys.Keys.Order(StringComparer.Ordinal));
    }
}
