using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Fusebox.Extensions.Tests;

public class HealthCheckTests
{
    private static async Task<(TestHost Host, HealthCheckService Health)> StartAsync(string[]? critical = null)
    {
        var host = await TestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Fusebox:Breakers:payments-db:Critical"] = "true",
            ["Fusebox:Defaults:HalfOpenPermits"] = "1",
        }, (services, configuration) =>
        {
            services.AddFusebox(configuration);
            services.AddHealthChecks().AddFuseboxHealthCheck(criticalBreakers: critical);
        });
        return (host, host.Services.GetRequiredService<HealthCheckService>());
    }

    private static async Task<HealthReportEntry> CheckAsync(HealthCheckService health) =>
        (await health.CheckHealthAsync()).Entries["fusebox"];

    [Fact]
    public async Task Healthy_when_every_breaker_is_closed_or_disabled()
    {
        var (host, health) = await StartAsync();
        await using var running = host;
        host.Registry.GetOrAdd("a");
        host.Registry.GetOrAdd("b").Disable();

        var entry = await CheckAsync(health);

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal("closed", entry.Data["a"]);
        Assert.Equal("disabled", entry.Data["b"]);
    }

    [Fact]
    public async Task Degraded_when_a_breaker_is_open()
    {
        var (host, health) = await StartAsync();
        await using var running = host;
        host.Registry.GetOrAdd("a").FailTimes(5);
        host.Registry.GetOrAdd("b");

        var entry = await CheckAsync(health);

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal("open", entry.Data["a"]);
        Assert.Contains("a is open", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Degraded_when_a_critical_breaker_is_only_half_open()
    {
        var (host, health) = await StartAsync();
        await using var running = host;
        var db = host.Registry.GetOrAdd("payments-db");
        db.FailTimes(5);
        host.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(db.TryAcquire(out _));

        Assert.Equal(HealthStatus.Degraded, (await CheckAsync(health)).Status);
    }

    [Fact]
    public async Task Unhealthy_when_a_breaker_marked_critical_in_configuration_is_open()
    {
        var (host, health) = await StartAsync();
        await using var running = host;
        host.Registry.GetOrAdd("payments-db").FailTimes(5);

        var entry = await CheckAsync(health);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("payments-db is open", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unhealthy_when_a_breaker_named_critical_in_code_is_isolated()
    {
        var (host, health) = await StartAsync(critical: ["auth"]);
        await using var running = host;
        host.Registry.GetOrAdd("auth").Isolate();

        Assert.Equal(HealthStatus.Unhealthy, (await CheckAsync(health)).Status);
    }
}
