using System.Net.Http.Json;
using System.Text.Json;

namespace Fusebox.AspNetCore.Tests;

/// <summary>The admin JSON carries shadow mode and adaptive throttling as the snapshot has them.</summary>
public class AdmissionMarksApiTests
{
    [Fact]
    public async Task A_breaker_view_says_shadow_mode_and_throttling_as_the_snapshot_has_them()
    {
        await using var app = await AdminApp.StartAsync();
        app.Registry.OpenShadowBreaker("shadow", wouldBeRejected: 3);
        var throttled = app.Registry.ThrottlingBreaker("throttled").Snapshot();
        app.Registry.GetOrAdd("plain");

        var shadow = await app.Client.GetFromJsonAsync<JsonElement>("/fusebox/api/breakers/shadow");
        Assert.True(shadow.GetProperty("shadowMode").GetBoolean());
        Assert.Equal(3, shadow.GetProperty("shadowRejectedCalls").GetInt64());
        Assert.Equal(0, shadow.GetProperty("rejectedCalls").GetInt64());
        Assert.Equal(JsonValueKind.Null, shadow.GetProperty("throttleProbability").ValueKind);

        var view = await app.Client.GetFromJsonAsync<JsonElement>("/fusebox/api/breakers/throttled");
        Assert.False(view.GetProperty("shadowMode").GetBoolean());
        Assert.Equal(throttled.ThrottleProbability, view.GetProperty("throttleProbability").GetDouble());
        Assert.Equal(throttled.ThrottledCalls, view.GetProperty("throttledCalls").GetInt64());

        var plain = await app.Client.GetFromJsonAsync<JsonElement>("/fusebox/api/breakers/plain");
        Assert.Equal((false, 0L, JsonValueKind.Null, 0L), (plain.GetProperty("shadowMode").GetBoolean(), plain.GetProperty("shadowRejectedCalls").GetInt64(),
            plain.GetProperty("throttleProbability").ValueKind, plain.GetProperty("throttledCalls").GetInt64()));
    }
}
