using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Fusebox.Coordination;

namespace Fusebox.AspNetCore.Tests;

public class ApiTests
{
    /// <summary>A control request as a script or the dashboard sends it: with the header that proves it is not a
    /// cross-site form or no-cors fetch.</summary>
    internal static HttpRequestMessage Post(string path, string? user)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Add("X-Fusebox-Control", "1");
        if (user is not null)
        {
            request.Headers.Add("user", user);
        }

        return request;
    }

    [Fact]
    public async Task Breakers_lists_every_snapshot_in_name_order()
    {
        await using var app = await AdminApp.StartAsync();
        app.Registry.GetOrAdd("shipping");
        var sinceOpened = System.Diagnostics.Stopwatch.StartNew(); // the app's breakers run on the system clock
        app.Registry.GetOrAdd("fraud-service").FailTimes(5);

        var list = await app.Client.GetFromJsonAsync<JsonElement[]>("/fusebox/api/breakers");
        double elapsedMs = sinceOpened.Elapsed.TotalMilliseconds;

        Assert.Equal(["fraud-service", "shipping"], list!.Select(b => b.GetProperty("name").GetString()));
        var fraud = list![0];
        Assert.Equal("open", fraud.GetProperty("state").GetString());
        Assert.Equal(5, fraud.GetProperty("failedCalls").GetInt64());
        Assert.Equal(5, fraud.GetProperty("totalCalls").GetInt64());
        Assert.Equal(1.0, fraud.GetProperty("failureRate").GetDouble());
        // The 30 s break less the time since it opened, which on a loaded machine may be more than a second.
        Assert.InRange(fraud.GetProperty("retryAfterMs").GetDouble(), 30_000 - elapsedMs - 1, 30_000);
        Assert.Equal("ConsecutiveFailures", fraud.GetProperty("lastReason").GetString());
        Assert.Equal("ConsecutiveFailures(5)", fraud.GetProperty("options").GetProperty("tripPolicy").GetString());
        Assert.Equal(3, fraud.GetProperty("options").GetProperty("halfOpenPermits").GetInt32());
        Assert.Equal(JsonValueKind.String, fraud.GetProperty("openedAt").ValueKind);
    }

    [Fact]
    public async Task One_breaker_by_name()
    {
        await using var app = await AdminApp.StartAsync();
        app.Registry.GetOrAdd("fraud-service");

        var one = await app.Client.GetFromJsonAsync<JsonElement>("/fusebox/api/breakers/fraud-service");

        Assert.Equal("fraud-service", one.GetProperty("name").GetString());
        Assert.Equal("closed", one.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, one.GetProperty("retryAfterMs").ValueKind);
        Assert.Equal(JsonValueKind.Null, one.GetProperty("coordination").ValueKind);
    }

    [Fact]
    public async Task A_shared_breaker_shows_how_it_is_coordinated()
    {
        await using var app = await AdminApp.StartAsync();
        app.Registry.GetOrAdd("fraud-service").SetCoordination(() =>
            new CoordinationStatus { Coordinator = "redis", Scope = "local", LocalFallback = true, Detail = "Redis unavailable" });

        var one = await app.Client.GetFromJsonAsync<JsonElement>("/fusebox/api/breakers/fraud-service");

        var coordination = one.GetProperty("coordination");
        Assert.Equal("redis", coordination.GetProperty("coordinator").GetString());
        Assert.Equal("local", coordination.GetProperty("scope").GetString());
        Assert.True(coordination.GetProperty("localFallback").GetBoolean());
        Assert.Equal("Redis unavailable", coordination.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Names_with_slashes_are_reached_url_encoded()
    {
        await using var app = await AdminApp.StartAsync();
        app.Registry.GetOrAdd("fraud/http://127.0.0.1:5001");

        var one = await app.Client.GetFromJsonAsync<JsonElement>("/fusebox/api/breakers/" + Uri.EscapeDataString("fraud/http://127.0.0.1:5001"));

        Assert.Equal("fraud/http://127.0.0.1:5001", one.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Unknown_name_is_a_404_problem()
    {
        await using var app = await AdminApp.StartAsync();

        using var response = await app.Client.GetAsync("/fusebox/api/breakers/nope");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
        Assert.Equal("No circuit breaker is named 'nope'.", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("isolate", "isolated")]
    [InlineData("disable", "disabled")]
    [InlineData("reset", "closed")]
    public async Task An_authorized_operator_controls_a_breaker_and_is_logged(string action, string expectedState)
    {
        await using var app = await AdminApp.StartAsync();
        var breaker = app.Registry.GetOrAdd("fraud-service");
        breaker.FailTimes(5);

        using var response = await app.Client.SendAsync(Post($"/fusebox/api/breakers/fraud-service/{action}", "alice"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expectedState, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
        Assert.Equal(expectedState, StateNames.Of(breaker.State));
        Assert.Equal($"{action} by alice via the admin API", breaker.Snapshot().LastReasonDescription);
        var log = Assert.Single(app.Logs.GetSnapshot(), r => r.Id.Name == "ManualControl");
        Assert.Equal(LogLevel.Warning, log.Level);
        Assert.Equal($"Manual {action} of circuit breaker 'fraud-service' by alice (no reason given)", log.Message);
    }

    [Theory]
    [InlineData("isolate")]
    [InlineData("disable")]
    [InlineData("reset")]
    public async Task Without_a_control_policy_control_is_forbidden_even_to_alice(string action)
    {
        await using var app = await AdminApp.StartAsync(controlPolicy: null);
        var breaker = app.Registry.GetOrAdd("fraud-service");

        using var response = await app.Client.SendAsync(Post($"/fusebox/api/breakers/fraud-service/{action}", "alice"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("ControlPolicy", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(BreakerState.Closed, breaker.State);
    }

    [Fact]
    public async Task Anonymous_users_are_challenged_and_non_operators_forbidden()
    {
        await using var app = await AdminApp.StartAsync();
        var breaker = app.Registry.GetOrAdd("fraud-service");

        using var anonymous = await app.Client.SendAsync(Post("/fusebox/api/breakers/fraud-service/isolate", null));
        using var bob = await app.Client.SendAsync(Post("/fusebox/api/breakers/fraud-service/isolate", "bob"));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, bob.StatusCode);
        Assert.Equal(BreakerState.Closed, breaker.State);
    }

    [Fact]
    public async Task Control_of_an_unknown_breaker_is_a_404()
    {
        await using var app = await AdminApp.StartAsync();

        using var response = await app.Client.SendAsync(Post("/fusebox/api/breakers/ghost/reset", "alice"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("alice", true)]
    [InlineData("bob", false)]
    [InlineData(null, false)]
    public async Task Capabilities_say_whether_the_user_may_control(string? user, bool expected)
    {
        await using var app = await AdminApp.StartAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, "/fusebox/api/capabilities");
        if (user is not null)
        {
            request.Headers.Add("user", user);
        }

        using var response = await app.Client.SendAsync(request);
        var caps = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(expected, caps.GetProperty("canControl").GetBoolean());
    }

    [Fact]
    public async Task Capabilities_are_false_for_everyone_without_a_policy()
    {
        await using var app = await AdminApp.StartAsync(controlPolicy: null);
        var request = new HttpRequestMessage(HttpMethod.Get, "/fusebox/api/capabilities");
        request.Headers.Add("user", "alice");

        var caps = await (await app.Client.SendAsync(request)).Content.ReadFromJsonAsync<JsonElement>();

        Assert.False(caps.GetProperty("canControl").GetBoolean());
    }

    [Fact]
    public async Task The_dashboard_is_self_contained_html_with_an_escaped_title()
    {
        await using var app = await AdminApp.StartAsync();

        using var response = await app.Client.GetAsync("/fusebox");
        string html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("<title>Checkout &lt;ops&gt;</title>", html, StringComparison.Ordinal);
        Assert.Contains("const base = \"/fusebox\";", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("innerHTML", html, StringComparison.Ordinal);
        Assert.Contains("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_whole_group_can_require_authorization()
    {
        await using var app = await AdminApp.StartAsync(map: h => h.Group.RequireAuthorization("ops"));

        using var anonymous = await app.Client.GetAsync("/fusebox/api/breakers");
        var request = new HttpRequestMessage(HttpMethod.Get, "/fusebox/api/breakers");
        request.Headers.Add("user", "alice");
        using var alice = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alice.StatusCode);
    }

    [Fact]
    public async Task Endpoint_filters_on_the_group_apply()
    {
        await using var app = await AdminApp.StartAsync(map: h => h.Group.AddEndpointFilter(async (context, next) =>
        {
            context.HttpContext.Response.Headers["X-Audited"] = "yes";
            return await next(context);
        }));

        using var response = await app.Client.GetAsync("/fusebox/api/breakers");

        Assert.Equal("yes", response.Headers.GetValues("X-Audited").Single());
    }

    [Fact]
    public void Invalid_endpoint_options_fail_when_mapping()
    {
        var builder = WebApplication.CreateSlimBuilder();
        Fusebox.Extensions.FuseboxServiceCollectionExtensions.AddFusebox(builder.Services);
        using var app = builder.Build();

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => app.MapFusebox(configure: o => o.SnapshotInterval = TimeSpan.Zero));

        Assert.Contains("SnapshotInterval must be in [00:00:00.1, 00:01:00]", ex.Message, StringComparison.Ordinal);
    }
}
