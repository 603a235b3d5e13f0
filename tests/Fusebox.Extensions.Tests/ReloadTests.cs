using Microsoft.Extensions.Logging;

namespace Fusebox.Extensions.Tests;

public class ReloadTests
{
    [Fact]
    public async Task Existing_breakers_adopt_new_thresholds_without_losing_state()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?> { ["Fusebox:Breakers:fraud:FailureThreshold"] = "5" });
        var fraud = host.Registry.GetOrAdd("fraud");
        var other = host.Registry.GetOrAdd("other");
        other.FailTimes(5);
        Assert.Equal(BreakerState.Open, other.State);

        host.Reload(new Dictionary<string, string?>
        {
            ["Fusebox:Breakers:fraud:FailureThreshold"] = "2",
            ["Fusebox:Defaults:BreakDuration"] = "00:00:05",
        });

        Assert.Equal(BreakerState.Open, other.State);                       // state kept
        Assert.Equal(TimeSpan.FromSeconds(30), other.Snapshot().RetryAfter);  // the running break keeps its end
        Assert.Equal(TimeSpan.FromSeconds(5), other.Options.BreakDuration);  // the next one is shorter
        fraud.FailTimes(2);
        Assert.Equal(BreakerState.Open, fraud.State);
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Id.Name == "ReloadAdopted");
    }

    [Fact]
    public async Task An_invalid_reload_is_logged_and_ignored()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?> { ["Fusebox:Breakers:fraud:FailureThreshold"] = "3" });
        var fraud = host.Registry.GetOrAdd("fraud");

        host.Reload(new Dictionary<string, string?> { ["Fusebox:Breakers:fraud:FailureThreshold"] = "-1" });

        var error = Assert.Single(host.Logs.GetSnapshot(), r => r.Id.Name == "ReloadRejected");
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.Contains("Fusebox:Breakers:fraud:FailureThreshold", error.Message, StringComparison.Ordinal);
        fraud.FailTimes(3);
        Assert.Equal(BreakerState.Open, fraud.State);                          // still the last good threshold
        Assert.Equal(3, Assert.IsType<ConsecutiveFailuresPolicy>(fraud.Options.TripPolicy).FailureThreshold);
    }

    [Fact]
    public async Task Breakers_created_after_an_invalid_reload_get_the_last_good_options()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?> { ["Fusebox:Defaults:BreakDuration"] = "00:00:20" });

        host.Reload(new Dictionary<string, string?> { ["Fusebox:Defaults:BreakDuration"] = "-00:00:20" });

        Assert.Equal(TimeSpan.FromSeconds(20), host.Registry.GetOrAdd("late").Options.BreakDuration);
    }

    [Fact]
    public async Task A_valid_reload_after_an_invalid_one_is_adopted()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?>());
        var breaker = host.Registry.GetOrAdd("svc");

        host.Reload(new Dictionary<string, string?> { ["Fusebox:Defaults:HalfOpenPermits"] = "0" });
        host.Reload(new Dictionary<string, string?> { ["Fusebox:Defaults:HalfOpenPermits"] = "7" });

        Assert.Equal(7, breaker.Options.HalfOpenPermits);
        Assert.Equal(7, host.Registry.GetOrAdd("new").Options.HalfOpenPermits);
    }
}
