using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Fusebox.AspNetCore.Tests;

/// <summary>The cross-site defence of the control endpoints, header by header (the browser test repeats the attack).</summary>
public class CrossSiteRequestTests
{
    private static HttpRequestMessage Isolate(string? controlHeader, string? fetchSite, string? origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/fusebox/api/breakers/fraud-service/isolate");
        request.Headers.Add("user", "alice");
        if (controlHeader is not null)
        {
            request.Headers.Add("X-Fusebox-Control", controlHeader);
        }

        if (fetchSite is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", fetchSite);
        }

        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        return request;
    }

    [Theory]
    [InlineData(null, null, null)]                          // an HTML form or a no-cors fetch cannot add the header
    [InlineData("", null, null)]
    [InlineData("1", "same-site", null)]                   // another port or subdomain of the same site
    [InlineData("1", "cross-site", null)]
    [InlineData("1", "cross-site", "http://localhost")]     // Sec-Fetch-Site decides when the browser sends it
    [InlineData("1", null, "http://evil.example")]          // an older browser: the Origin must be this host
    [InlineData("1", null, "null")]                        // a sandboxed or opaque origin
    public async Task A_control_request_that_may_come_from_another_origin_is_refused(string? header, string? fetchSite, string? origin)
    {
        await using var app = await AdminApp.StartAsync(kestrel: true);
        var breaker = app.Registry.GetOrAdd("fraud-service");

        using var response = await app.Client.SendAsync(Isolate(header, fetchSite, origin));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("Cross-site request refused", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        Assert.Equal(BreakerState.Closed, breaker.State);
    }

    [Theory]
    [InlineData("same-origin", null)]   // the dashboard's own fetch
    [InlineData("none", null)]          // user-initiated
    [InlineData(null, "SELF")]         // an older browser on this origin (SELF is replaced by the app's address)
    [InlineData(null, null)]           // curl or a script: no browser headers
    public async Task A_request_from_this_origin_or_from_a_script_is_accepted(string? fetchSite, string? origin)
    {
        await using var app = await AdminApp.StartAsync(kestrel: true);
        var breaker = app.Registry.GetOrAdd("fraud-service");
        string? self = origin is null ? null : app.BaseAddress.GetLeftPart(UriPartial.Authority);

        using var response = await app.Client.SendAsync(Isolate("1", fetchSite, self));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(BreakerState.Isolated, breaker.State);
    }
}
