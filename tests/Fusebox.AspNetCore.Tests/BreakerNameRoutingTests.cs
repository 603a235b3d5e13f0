using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Fusebox.AspNetCore.Tests;

/// <summary>
/// A breaker name travels as one path segment, URL-encoded once (what the dashboard's <c>encodeURIComponent</c>
/// sends). Against real Kestrel, which decodes the path itself except for <c>%2F</c>: the API must decode the raw
/// segment exactly once, so <c>a%2541</c> is the breaker <c>a%41</c> (not <c>aA</c>) and <c>x%2Fy</c> is <c>x/y</c>.
/// </summary>
public class BreakerNameRoutingTests
{
    [Theory]
    [InlineData("a%41", "aA")]
    [InlineData("x/y", "x%2Fy")]
    [InlineData("x%2Fy", "x/y")]
    [InlineData("100% sure", "100 sure")]
    public async Task Control_acts_on_exactly_the_named_breaker(string name, string lookalike)
    {
        await using var app = await AdminApp.StartAsync(kestrel: true);
        var target = app.Registry.GetOrAdd(name);
        var other = app.Registry.GetOrAdd(lookalike);

        using var response = await app.Client.SendAsync(ApiTests.Post($"/fusebox/api/breakers/{Uri.EscapeDataString(name)}/isolate", "alice"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(name, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("name").GetString());
        Assert.Equal(BreakerState.Isolated, target.State);
        Assert.Equal(BreakerState.Closed, other.State);
    }

    [Theory]
    [InlineData("a%41", "aA")]
    [InlineData("x/y", "x%2Fy")]
    [InlineData("x%2Fy", "x/y")]
    public async Task One_breaker_is_read_by_exactly_its_name(string name, string lookalike)
    {
        await using var app = await AdminApp.StartAsync(kestrel: true);
        app.Registry.GetOrAdd(name);
        app.Registry.GetOrAdd(lookalike);

        var one = await app.Client.GetFromJsonAsync<JsonElement>("/fusebox/api/breakers/" + Uri.EscapeDataString(name));

        Assert.Equal(name, one.GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_name_decoded_by_kestrel_alone_is_not_found()
    {
        await using var app = await AdminApp.StartAsync(kestrel: true);
        app.Registry.GetOrAdd("aA");

        // "a%2541" names "a%41", which does not exist; decoding it a second time would find "aA".
        using var response = await app.Client.GetAsync("/fusebox/api/breakers/a%2541");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }
}
