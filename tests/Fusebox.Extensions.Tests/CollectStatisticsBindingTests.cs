namespace Fusebox.Extensions.Tests;

/// <summary><c>CollectStatistics</c> from appsettings.json, through a real host, at start and on reload.</summary>
public class CollectStatisticsBindingTests
{
    [Fact]
    public async Task CollectStatistics_true_turns_statistics_on_for_that_breaker_only()
    {
        await using var host = await JsonFileHost.StartAsync("""{ "Breakers": { "x": { "CollectStatistics": true } } }""");

        var x = host.Registry.GetOrAdd("x");
        x.Execute(static _ => 1);
        Assert.True(x.Options.CollectStatistics);
        Assert.Equal(1, x.Snapshot().Statistics!.Successes);
        Assert.Null(host.Registry.GetOrAdd("y").Snapshot().Statistics);
    }

    [Fact]
    public async Task CollectStatistics_under_Defaults_applies_to_every_breaker_and_an_entry_can_turn_it_off()
    {
        await using var host = await JsonFileHost.StartAsync("""{ "Defaults": { "CollectStatistics": true }, "Breakers": { "quiet": { "collectstatistics": false } } }""");

        Assert.NotNull(host.Registry.GetOrAdd("any").Snapshot().Statistics);
        Assert.Null(host.Registry.GetOrAdd("quiet").Snapshot().Statistics);
    }

    [Fact]
    public async Task An_unreadable_CollectStatistics_stops_the_host_with_its_path()
    {
        var failure = await JsonFileHost.StartFailureAsync("""{ "Breakers": { "x": { "CollectStatistics": "on" } } }""");

        Assert.Contains("Fusebox:Breakers:x:CollectStatistics: 'on' is not a boolean (use true or false).", failure.Failures);
    }

    [Fact]
    public async Task A_reload_turns_statistics_on_and_off_in_a_running_breaker()
    {
        await using var host = await JsonFileHost.StartAsync("""{ "Breakers": { "x": { "FailureThreshold": 3 } } }""");
        var x = host.Registry.GetOrAdd("x");
        Assert.Null(x.Snapshot().Statistics);

        await host.RewriteAsync("""{ "Breakers": { "x": { "FailureThreshold": 3, "CollectStatistics": true } } }""");
        x.Execute(static _ => 1);
        Assert.Equal(1, x.Snapshot().Statistics!.Successes);

        await host.RewriteAsync("""{ "Breakers": { "x": { "FailureThreshold": 3 } } }""");
        Assert.Null(x.Snapshot().Statistics);
    }
}
