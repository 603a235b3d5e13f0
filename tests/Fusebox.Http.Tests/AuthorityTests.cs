using System.Net;

namespace Fusebox.Http.Tests;

public class AuthorityTests : TwoServerTests
{
    [Fact]
    public async Task One_failing_host_does_not_open_the_other_hosts_breaker()
    {
        using var fixture = new ClientFixture();
        var client = fixture.Client;
        A.Behavior = Behavior.ServerError;

        for (int i = 0; i < 5; i++)
        {
            using var _ = await client.GetAsync(new Uri(A.BaseAddress, "x"));
        }

        await Assert.ThrowsAsync<CircuitOpenException>(() => client.GetAsync(new Uri(A.BaseAddress, "x")));
        using var fromB = await client.GetAsync(new Uri(B.BaseAddress, "x"));
        Assert.Equal(HttpStatusCode.OK, fromB.StatusCode);
        Assert.Equal(BreakerState.Open, fixture.BreakerFor(A.BaseAddress).State);
        Assert.Equal(BreakerState.Closed, fixture.BreakerFor(B.BaseAddress).State);
        Assert.Equal(2, fixture.Registry.Report().Count(r => r.Name.StartsWith("fraud/http://127.0.0.1:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_custom_key_selector_can_share_one_breaker_across_hosts()
    {
        using var fixture = new ClientFixture(o => o.KeySelector = _ => "all");
        var client = fixture.Client;
        A.Behavior = Behavior.ServerError;

        for (int i = 0; i < 5; i++)
        {
            using var _ = await client.GetAsync(new Uri(A.BaseAddress, "x"));
        }

        await Assert.ThrowsAsync<CircuitOpenException>(() => client.GetAsync(new Uri(B.BaseAddress, "x")));
        Assert.Equal(0, B.Requests);
        Assert.True(fixture.Registry.TryGet("fraud/all", out _));
    }

    [Fact]
    public async Task Breakers_outlive_handler_rotation()
    {
        using var fixture = new ClientFixture();
        A.Behavior = Behavior.ServerError;
        for (int i = 0; i < 5; i++)
        {
            using var _ = await fixture.Client.GetAsync(new Uri(A.BaseAddress, "x")); // a new client each time
        }

        await Assert.ThrowsAsync<CircuitOpenException>(() => fixture.Client.GetAsync(new Uri(A.BaseAddress, "x")));
    }
}
