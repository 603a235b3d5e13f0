using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.AspNetCore.Tests;

/// <summary>The admin JSON lists the registry's breaker groups: members with their state, ejection and refused
/// openings, the open slots against the cap, panic and the last evaluation; read-only, under the view policy.</summary>
public class GroupApiTests
{
    [Fact]
    public async Task The_groups_endpoint_lists_each_group_with_its_members_cap_and_panic()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await AdminApp.StartAsync(kestrel: true, time: time);
        var group = app.Registry.GroupWithAnOutlierAndARefusedTrip();

        var groups = await app.Client.GetFromJsonAsync<JsonElement>("/fusebox/api/groups");
        var g = Assert.Single(groups.EnumerateArray());
        Assert.Equal("inventory", g.GetProperty("name").GetString());
        Assert.Equal((1, 1, 1, 4), (g.GetProperty("openSlotsUsed").GetInt32(), g.GetProperty("maxOpen").GetInt32(),
            g.GetProperty("membersRejecting").GetInt32(), g.GetProperty("healthyMembers").GetInt32()));
        Assert.Equal((1L, 1L), (g.GetProperty("wouldHaveOpened").GetInt64(), g.GetProperty("ejections").GetInt64()));
        Assert.False(g.GetProperty("panicking").GetBoolean());
        Assert.Equal(JsonValueKind.Null, g.GetProperty("panicSince").ValueKind);
        Assert.Equal(group.Snapshot().LastEvaluatedAt, g.GetProperty("lastEvaluatedAt").GetDateTimeOffset());
        Assert.Equal(group.Snapshot().OutlierThreshold, g.GetProperty("outlierThreshold").GetDouble());

        var members = g.GetProperty("members").EnumerateArray().ToDictionary(m => m.GetProperty("key").GetString()!);
        Assert.Equal(["a", "b", "c", "d", "e", "f"], members.Keys);
        var a = members["a"];
        Assert.Equal(("inventory/a", "open", true, true, false), (a.GetProperty("name").GetString(), a.GetProperty("state").GetString(),
            a.GetProperty("ejected").GetBoolean(), a.GetProperty("holdsOpenSlot").GetBoolean(), a.GetProperty("healthy").GetBoolean()));
        Assert.Equal(0.5, a.GetProperty("intervalSuccessRate").GetDouble());
        var b = members["b"];
        Assert.Equal(("closed", false, false, false, 1L), (b.GetProperty("state").GetString(), b.GetProperty("ejected").GetBoolean(),
            b.GetProperty("holdsOpenSlot").GetBoolean(), b.GetProperty("healthy").GetBoolean(), b.GetProperty("wouldHaveOpened").GetInt64()));
        Assert.Equal(30_000, b.GetProperty("heldClosedForMs").GetDouble()); // the break it would have had, on the fake clock
        time.Advance(TimeSpan.FromSeconds(10));
        var later = (await app.Client.GetFromJsonAsync<JsonElement>("/fusebox/api/groups"))[0].GetProperty("members")[1];
        Assert.Equal(("b", 20_000.0), (later.GetProperty("key").GetString(), later.GetProperty("heldClosedForMs").GetDouble()));
        var c = members["c"];
        Assert.Equal(("closed", true, 0L), (c.GetProperty("state").GetString(), c.GetProperty("healthy").GetBoolean(), c.GetProperty("wouldHaveOpened").GetInt64()));
        Assert.Equal(JsonValueKind.Null, c.GetProperty("heldClosedForMs").ValueKind);

        group.GetOrAdd("e").Isolate("INC-7"); // an operator's isolation takes no slot, but keeps the member out
        var isolated = (await app.Client.GetFromJsonAsync<JsonElement>("/fusebox/api/groups"))[0];
        Assert.Equal((1, 2), (isolated.GetProperty("openSlotsUsed").GetInt32(), isolated.GetProperty("membersRejecting").GetInt32()));
        group.GetOrAdd("e").Reset();

        group.FailUntilPanic();
        var panicking = Assert.Single((await app.Client.GetFromJsonAsync<JsonElement>("/fusebox/api/groups")).EnumerateArray());
        Assert.True(panicking.GetProperty("panicking").GetBoolean());
        Assert.Equal(group.Snapshot().PanicSince, panicking.GetProperty("panicSince").GetDateTimeOffset());
        Assert.Equal((2, 3L), (panicking.GetProperty("healthyMembers").GetInt32(), panicking.GetProperty("wouldHaveOpened").GetInt64()));
    }

    [Fact]
    public async Task A_group_not_evaluated_yet_has_null_rates_and_a_disposed_group_is_gone()
    {
        await using var app = await AdminApp.StartAsync(kestrel: true);
        var fresh = new BreakerGroup("search", app.Registry, new BreakerGroupOptions { EvaluationInterval = TimeSpan.FromHours(1) });
        fresh.GetOrAdd("x");

        var g = Assert.Single((await app.Client.GetFromJsonAsync<JsonElement>("/fusebox/api/groups")).EnumerateArray());
        Assert.Equal((JsonValueKind.Null, JsonValueKind.Null, JsonValueKind.Null), (g.GetProperty("meanSuccessRate").ValueKind,
            g.GetProperty("outlierThreshold").ValueKind, g.GetProperty("lastEvaluatedAt").ValueKind));
        Assert.Equal(JsonValueKind.Null, g.GetProperty("members")[0].GetProperty("intervalSuccessRate").ValueKind);

        fresh.Dispose();
        Assert.Empty((await app.Client.GetFromJsonAsync<JsonElement>("/fusebox/api/groups")).EnumerateArray());
    }

    [Fact]
    public async Task The_groups_endpoint_is_read_only()
    {
        // The view policy guards it like every read (ViewPolicyTests.ReadPaths); here: no control verb exists on it.
        await using var app = await AdminApp.StartAsync(kestrel: true);
        app.Registry.GroupWithAnOutlierAndARefusedTrip();

        using var post = new HttpRequestMessage(HttpMethod.Post, "/fusebox/api/groups");
        post.Headers.Add(FuseboxEndpointOptions.ControlRequestHeader, "1");
        post.Headers.Add("user", "alice");
        using var posted = await app.Client.SendAsync(post);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, posted.StatusCode);
    }
}
