using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fusebox.Coordination;

namespace Fusebox.AspNetCore.Tests;

public class ResponseHeadersAndProblemsTests
{
    [Theory]
    [InlineData("/fusebox", null)]
    [InlineData("/fusebox/api/breakers", null)]
    [InlineData("/fusebox/api/breakers/fraud-service", null)]
    [InlineData("/fusebox/api/breakers/ghost", null)]
    [InlineData("/fusebox/api/capabilities", "alice")]
    public async Task Every_response_forbids_sniffing_and_framing(string path, string? user)
    {
        await using var app = await AdminApp.StartAsync();
        app.Registry.GetOrAdd("fraud-service");
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (user is not null)
        {
            request.Headers.Add("user", user);
        }

        using var response = await app.Client.SendAsync(request);

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("bob", HttpStatusCode.Forbidden)]
    public async Task Refused_control_is_a_problem_with_the_security_headers(string? user, HttpStatusCode expected)
    {
        await using var app = await AdminApp.StartAsync();
        app.Registry.GetOrAdd("fraud-service");

        using var response = await app.Client.SendAsync(ApiTests.Post("/fusebox/api/breakers/fraud-service/isolate", user));

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)expected, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task The_api_shows_exactly_the_coordination_fields()
    {
        await using var app = await AdminApp.StartAsync();
        app.Registry.GetOrAdd("fraud-service").SetCoordination(() =>
            new Fusebox.CoordinationStatus { Coordinator = "redis", Scope = "cluster", LocalFallback = false, Detail = "Quorum mode" });

        var one = await app.Client.GetFromJsonAsync<JsonElement>("/fusebox/api/breakers/fraud-service");

        Assert.Equal(["coordinator", "scope", "localFallback", "detail"], one.GetProperty("coordination").EnumerateObject().Select(p => p.Name));
    }
}
