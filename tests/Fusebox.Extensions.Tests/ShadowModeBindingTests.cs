namespace Fusebox.Extensions.Tests;

/// <summary><c>ShadowMode</c> from appsettings.json, through a real host, at start and on reload.</summary>
public class ShadowModeBindingTests
{
    [Fact]
    public async Task ShadowMode_true_makes_that_breaker_admit_calls_it_would_reject()
    {
        await using var host = await JsonFileHost.StartAsync("""{ "Defaults": { "FailureThreshold": 1 }, "Breakers": { "x": { "ShadowMode": true } } }""");

        var x = host.Registry.GetOrAdd("x");
        Assert.True(x.Options.ShadowMode);
        Assert.False(host.Registry.GetOrAdd("y").Options.ShadowMode);
        Assert.Throws<InvalidOperationException>(() => x.Execute<int>(static _ => throw new InvalidOperationException("down")));
        Assert.Equal(BreakerState.Open, x.State);
        Assert.Equal(1, x.Execute(static _ => 1)); // open, and still admitting
        Assert.Equal((1L, 0L), (x.Snapshot().ShadowRejectedCalls, x.Snapshot().RejectedCalls));
    }

    [Fact]
    public async Task An_unreadable_ShadowMode_stops_the_host_with_its_path()
    {
        var failure = await JsonFileHost.StartFailureAsync("""{ "Breakers": { "x": { "ShadowMode": "maybe" } } }""");

        Assert.Contains("Fusebox:Breakers:x:ShadowMode: 'maybe' is not a boolean (use true or false).", failure.Failures);
    }

    [Fact]
    public async Task A_reload_takes_a_running_breaker_out_of_shadow_mode()
    {
        await using var host = await JsonFileHost.StartAsync("""{ "Defaults": { "ShadowMode": true } }""");
        var x = host.Registry.GetOrAdd("x");
        Assert.True(x.Snapshot().ShadowMode);

        await host.RewriteAsync("""{ "Defaults": { "ShadowMode": false } }""");
        Assert.False(x.Snapshot().ShadowMode);
    }
}
