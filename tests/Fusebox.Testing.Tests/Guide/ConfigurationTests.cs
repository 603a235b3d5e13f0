// docs/testing.md, "Testing configuration" shows this file.

using Fusebox;
using Fusebox.Extensions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Fusebox.Testing.Tests.Guide;

// The host is built as Program.cs builds it, with the configuration in memory instead of appsettings.json;
// DisableDefaults keeps the machine's environment variables and files out.
public class ConfigurationTests
{
    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddFusebox(builder.Configuration);
        return builder.Build();
    }

    [Fact]
    public async Task The_fraud_breaker_takes_its_settings_from_configuration()
    {
        using var host = BuildHost(new()
        {
            ["Fusebox:Defaults:BreakDuration"] = "00:00:10",
            ["Fusebox:Breakers:fraud:TripPolicy"] = "FailureRate",
            ["Fusebox:Breakers:fraud:FailureRateThreshold"] = "0.5",
            ["Fusebox:Breakers:fraud:WindowSize"] = "20",
        });
        await host.StartAsync();

        var fraud = host.Services.GetRequiredService<CircuitBreakerRegistry>().GetOrAdd("fraud");

        Assert.Equal(TimeSpan.FromSeconds(10), fraud.Options.BreakDuration);
        Assert.Equal(TripPolicy.FailureRate(0.5, windowSize: 20, minimumCalls: 1), fraud.Options.TripPolicy);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_bad_value_stops_the_host_at_start_naming_the_key()
    {
        using var host = BuildHost(new() { ["Fusebox:Breakers:fraud:HalfOpenPermits"] = "0" });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Fusebox:Breakers:fraud:HalfOpenPermits", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[1, 1000]", ex.Message, StringComparison.Ordinal);
    }
}
