using System.Net;

namespace Fusebox.Http.Tests;

/// <summary>A registry at <c>MaxBreakers</c> with nothing idle: a new host gets no breaker, so its request is not sent,
/// and the caller hears it the way it hears an open circuit.</summary>
public class FullRegistryTests : TwoServerTests
{
    private static readonly Dictionary<string, string?> OneBreaker = new() { ["Fusebox:MaxBreakers"] = "1" };

    [Fact]
    public async Task With_Return503_a_new_host_gets_a_synthesized_503_naming_the_full_registry()
    {
        using var fixture = new ClientFixture(o => o.WhenOpen = RejectionBehavior.Return503, settings: OneBreaker);
        using var fromA = await fixture.Client.GetAsync(new Uri(A.BaseAddress, "x"));

        using var fromB = await fixture.Client.GetAsync(new Uri(B.BaseAddress, "x"));

        Assert.Equal(HttpStatusCode.OK, fromA.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, fromB.StatusCode);
        Assert.Equal("fraud/" + B.BaseAddress.GetLeftPart(UriPartial.Authority), Assert.Single(fromB.Headers.GetValues(FuseboxHttpHandler.BreakerHeader)));
        Assert.Contains("MaxBreakers = 1", await fromB.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, B.Requests);
    }

    [Fact]
    public async Task With_Throw_a_new_host_gets_a_CircuitOpenException_naming_the_full_registry()
    {
        using var fixture = new ClientFixture(settings: OneBreaker);
        using var fromA = await fixture.Client.GetAsync(new Uri(A.BaseAddress, "x"));

        var ex = await Assert.ThrowsAsync<CircuitOpenException>(() => fixture.Client.GetAsync(new Uri(B.BaseAddress, "x")));

        Assert.Contains("MaxBreakers = 1", ex.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(ex.InnerException);
        Assert.Equal(0, B.Requests);
    }

    [Fact]
    public async Task Hosts_that_have_a_breaker_keep_working_while_the_registry_is_full()
    {
        using var fixture = new ClientFixture(o => o.WhenOpen = RejectionBehavior.Return503, settings: OneBreaker);
        var client = fixture.Client;
        using (var _ = await client.GetAsync(new Uri(B.BaseAddress, "x")))
        {
        }

        using var fromA = await client.GetAsync(new Uri(A.BaseAddress, "x"));
        using var fromB = await client.GetAsync(new Uri(B.BaseAddress, "x"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, fromA.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fromB.StatusCode);
        Assert.Equal(2, B.Requests);
    }
}
