using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Fusebox.AspNetCore.Tests;

public class ViewPolicyTests
{
    public static TheoryData<string> ReadPaths => ["/fusebox", "/fusebox/api/breakers", "/fusebox/api/breakers/fraud-service", "/fusebox/api/events", "/fusebox/api/capabilities", "/fusebox/api/groups"];

    private static HttpRequestMessage Get(string path, string? user)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (user is not null)
        {
            request.Headers.Add("user", user);
        }

        return request;
    }

    [Theory]
    [MemberData(nameof(ReadPaths))]
    public async Task With_a_view_policy_anonymous_readers_are_challenged_and_others_forbidden(string path)
    {
        await using var app = await AdminApp.StartAsync(kestrel: true, configure: o => o.ViewPolicy = "ops");
        app.Registry.GetOrAdd("fraud-service");

        using var anonymous = await app.Client.SendAsync(Get(path, null));
        using var bob = await app.Client.SendAsync(Get(path, "bob"));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, bob.StatusCode);
        Assert.Equal("application/problem+json", bob.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [MemberData(nameof(ReadPaths))]
    public async Task With_a_view_policy_its_members_read(string path)
    {
        await using var app = await AdminApp.StartAsync(kestrel: true, configure: o => o.ViewPolicy = "ops");
        app.Registry.GetOrAdd("fraud-service");

        using var alice = await app.Client.SendAsync(Get(path, "alice"), HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, alice.StatusCode);
    }

    [Fact]
    public async Task Without_a_view_policy_reads_are_anonymous()
    {
        await using var app = await AdminApp.StartAsync();
        app.Registry.GetOrAdd("fraud-service");

        var list = await app.Client.GetFromJsonAsync<JsonElement[]>("/fusebox/api/breakers");

        Assert.Equal("fraud-service", Assert.Single(list!).GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_view_policy_that_is_not_registered_is_named_in_the_error()
    {
        await using var app = await AdminApp.StartAsync(configure: o => o.ViewPolicy = "readers");

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => app.Client.GetAsync("/fusebox/api/breakers"));

        Assert.Contains("FuseboxEndpointOptions.ViewPolicy names the authorization policy 'readers', which is not registered", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10_001)]
    public void The_stream_bound_is_validated(int max)
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        Fusebox.Extensions.FuseboxServiceCollectionExtensions.AddFusebox(builder.Services);
        using var app = builder.Build();

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => app.MapFusebox(configure: o => o.MaxEventStreamConnections = max));

        Assert.Contains("MaxEventStreamConnections must be in [1, 10000]", ex.Message, StringComparison.Ordinal);
    }
}
