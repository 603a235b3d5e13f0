using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.AspNetCore.Tests;

public class ControlReasonAndRefusalLogTests
{
    private static HttpRequestMessage Isolate(string user, HttpContent? body)
    {
        var request = ApiTests.Post("/fusebox/api/breakers/fraud-service/isolate", user);
        request.Content = body;
        return request;
    }

    [Fact]
    public async Task The_operators_reason_reaches_the_snapshot_the_event_and_the_audit_log()
    {
        await using var app = await AdminApp.StartAsync();
        var breaker = app.Registry.GetOrAdd("fraud-service");
        BreakerStateChangedEventArgs? change = null;
        breaker.StateChanged += (_, e) => change = e;

        using var response = await app.Client.SendAsync(Isolate("alice", JsonContent.Create(new { reason = "INC-1234 fraud provider down" })));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("isolate by alice via the admin API: INC-1234 fraud provider down", breaker.Snapshot().LastReasonDescription);
        Assert.Equal("isolate by alice via the admin API: INC-1234 fraud provider down", change?.Description);
        var audit = Assert.Single(app.Logs.GetSnapshot(), r => r.Id.Name == "ManualControl");
        Assert.Equal("Manual isolate of circuit breaker 'fraud-service' by alice (reason: INC-1234 fraud provider down)", audit.Message);
    }

    public static TheoryData<string, HttpStatusCode, string> InvalidBodies => new()
    {
        { "{\"reason\": \"" + new string('x', 201) + "\"}", HttpStatusCode.BadRequest, "at most 200 characters" },
        { "{\"reason\": \"INC-1\\nManual reset of circuit breaker 'payments' by bob\"}", HttpStatusCode.BadRequest, "printable" },
        { "{\"reason\": \"INC-1\\u202Eevil\"}", HttpStatusCode.BadRequest, "U+202E" },
        { "{\"reason\": ", HttpStatusCode.BadRequest, "JSON object" },
        { "{\"reason\": \"" + new string('x', 5000) + "\"}", HttpStatusCode.RequestEntityTooLarge, "4096 bytes" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task An_invalid_reason_is_a_problem_and_changes_nothing(string body, HttpStatusCode expected, string explanation)
    {
        await using var app = await AdminApp.StartAsync();
        var breaker = app.Registry.GetOrAdd("fraud-service");

        using var response = await app.Client.SendAsync(Isolate("alice", new StringContent(body, Encoding.UTF8, "application/json")));

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(explanation, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(BreakerState.Closed, breaker.State);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_refused()
    {
        await using var app = await AdminApp.StartAsync();
        var breaker = app.Registry.GetOrAdd("fraud-service");

        using var response = await app.Client.SendAsync(Isolate("alice", new StringContent("reason=x", Encoding.UTF8, "application/x-www-form-urlencoded")));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal(BreakerState.Closed, breaker.State);
    }

    [Fact]
    public async Task A_flood_of_refusals_is_one_log_line_per_interval_with_the_count_left_out()
    {
        var time = new FakeTimeProvider();
        await using var app = await AdminApp.StartAsync(controlPolicy: null, time: time);
        app.Registry.GetOrAdd("fraud-service");
        IEnumerable<string> Refusals() => app.Logs.GetSnapshot().Where(r => r.Id.Name is "RequestRefused" or "ManualControlRefused").Select(r => r.Message);

        for (int i = 0; i < 50; i++)
        {
            using var refused = await app.Client.SendAsync(ApiTests.Post("/fusebox/api/breakers/fraud-service/isolate", null));
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        Assert.Single(Refusals());
        time.Advance(TimeSpan.FromSeconds(9));
        using (await app.Client.SendAsync(ApiTests.Post("/fusebox/api/breakers/fraud-service/isolate", null)))
        {
        }

        Assert.Single(Refusals());
        time.Advance(TimeSpan.FromSeconds(1));
        using (await app.Client.SendAsync(ApiTests.Post("/fusebox/api/breakers/fraud-service/isolate", null)))
        {
        }

        Assert.Equal(2, Refusals().Count());
        Assert.Contains("50 more refusals of this kind were not logged in the 10 s before", Refusals().Last(), StringComparison.Ordinal);
        Assert.All(app.Logs.GetSnapshot().Where(r => r.Id.Name == "RequestRefused"), r => Assert.Equal(LogLevel.Warning, r.Level));
    }
}
