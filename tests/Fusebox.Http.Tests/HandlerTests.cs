using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fusebox.Http.Tests;

public class HandlerTests : OneServerTests
{
    private Uri Url(string path = "check/tx-1") => new(Server.BaseAddress, path);

    private static async Task SendTimesAsync(HttpClient client, Uri url, int n)
    {
        for (int i = 0; i < n; i++)
        {
            using var _ = await client.GetAsync(url);
        }
    }

    [Fact]
    public async Task A_healthy_dependency_answers_through_the_handler()
    {
        using var fixture = new ClientFixture();

        using var response = await fixture.Client.GetAsync(Url());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        var snapshot = fixture.BreakerFor(Server.BaseAddress).Snapshot();
        Assert.Equal(1, snapshot.SuccessfulCalls);
        Assert.Equal(1, Server.Requests);
    }

    [Fact]
    public async Task Server_errors_open_the_breaker_and_rejections_never_reach_the_server()
    {
        using var fixture = new ClientFixture();
        var client = fixture.Client;
        Server.Behavior = Behavior.ServerError;

        await SendTimesAsync(client, Url(), 5);
        Assert.Equal(5, Server.Requests);
        Assert.Equal(BreakerState.Open, fixture.BreakerFor(Server.BaseAddress).State);

        for (int i = 0; i < 20; i++)
        {
            var ex = await Assert.ThrowsAsync<CircuitOpenException>(() => client.GetAsync(Url()));
            Assert.Equal($"fraud/{Server.BaseAddress.GetLeftPart(UriPartial.Authority)}", ex.BreakerName);
            Assert.Equal(TimeSpan.FromSeconds(30), ex.RetryAfter);
        }

        Assert.Equal(5, Server.Requests);
    }

    [Fact]
    public async Task Half_open_probes_reach_the_recovered_server_and_close_the_breaker()
    {
        using var fixture = new ClientFixture();
        var client = fixture.Client;
        Server.Behavior = Behavior.ServerError;
        await SendTimesAsync(client, Url(), 5);

        Server.Behavior = Behavior.Ok;
        fixture.Time.Advance(TimeSpan.FromSeconds(30));
        for (int i = 0; i < 3; i++)
        {
            using var probe = await client.GetAsync(Url());
            Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        }

        Assert.Equal(BreakerState.Closed, fixture.BreakerFor(Server.BaseAddress).State);
        Assert.Equal(8, Server.Requests);
    }

    [Fact]
    public async Task A_failed_probe_reopens()
    {
        using var fixture = new ClientFixture();
        var client = fixture.Client;
        Server.Behavior = Behavior.ServerError;
        await SendTimesAsync(client, Url(), 5);
        fixture.Time.Advance(TimeSpan.FromSeconds(30));

        using (var probe = await client.GetAsync(Url()))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, probe.StatusCode);
        }

        Assert.Equal(BreakerState.Open, fixture.BreakerFor(Server.BaseAddress).State);
        await Assert.ThrowsAsync<CircuitOpenException>(() => client.GetAsync(Url()));
        Assert.Equal(6, Server.Requests);
    }

    [Fact]
    public async Task Return503_mode_synthesizes_a_503_with_Retry_After()
    {
        using var fixture = new ClientFixture(o => o.WhenOpen = RejectionBehavior.Return503);
        var client = fixture.Client;
        Server.Behavior = Behavior.ServerError;
        await SendTimesAsync(client, Url(), 5);
        fixture.Time.Advance(TimeSpan.FromSeconds(10.5));

        using var response = await client.GetAsync(Url());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(20), response.Headers.RetryAfter!.Delta);
        Assert.Equal(fixture.BreakerFor(Server.BaseAddress).Name, response.Headers.GetValues(FuseboxHttpHandler.BreakerHeader).Single());
        Assert.Contains("is open; the request was not sent", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(5, Server.Requests);
    }

    [Theory]
    [InlineData(Behavior.ServerError)]
    [InlineData(Behavior.Unavailable)]
    [InlineData(Behavior.TooManyRequests)]
    [InlineData(Behavior.RequestTimeout)]
    public async Task Transient_statuses_are_failures(Behavior behavior)
    {
        using var fixture = new ClientFixture();
        Server.Behavior = behavior;

        await SendTimesAsync(fixture.Client, Url(), 5);

        Assert.Equal(BreakerState.Open, fixture.BreakerFor(Server.BaseAddress).State);
    }

    [Fact]
    public async Task Client_errors_mean_the_dependency_is_up()
    {
        using var fixture = new ClientFixture();
        Server.Behavior = Behavior.NotFound;

        await SendTimesAsync(fixture.Client, Url(), 20);

        var snapshot = fixture.BreakerFor(Server.BaseAddress).Snapshot();
        Assert.Equal(BreakerState.Closed, snapshot.State);
        Assert.Equal(20, snapshot.SuccessfulCalls);
    }

    [Fact]
    public async Task A_reset_connection_is_a_failure_and_is_not_resent()
    {
        using var fixture = new ClientFixture();
        var client = fixture.Client;
        Server.Behavior = Behavior.Reset;

        for (int i = 0; i < 5; i++)
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(Url()));
        }

        Assert.Equal(BreakerState.Open, fixture.BreakerFor(Server.BaseAddress).State);
        Assert.Equal(5, Server.Requests);
    }

    [Fact]
    public async Task A_hung_server_hitting_the_handler_timeout_is_a_failure()
    {
        using var fixture = new ClientFixture(o => o.Timeout = TimeSpan.FromSeconds(2),
            settings: new Dictionary<string, string?> { ["Fusebox:Breakers:fraud:FailureThreshold"] = "2" });
        var client = fixture.Client;
        Server.Behavior = Behavior.Hang;

        for (int i = 1; i <= 2; i++)
        {
            var pending = client.GetAsync(Url());
            await WaitUntilAsync(() => Server.Requests == i);
            fixture.Time.Advance(TimeSpan.FromSeconds(2));
            var ex = await Assert.ThrowsAsync<CallTimeoutException>(() => pending);
            Assert.Equal(TimeSpan.FromSeconds(2), ex.Timeout);
        }

        Assert.Equal(BreakerState.Open, fixture.BreakerFor(Server.BaseAddress).State);
        await Assert.ThrowsAsync<CircuitOpenException>(() => client.GetAsync(Url()));
        Assert.Equal(2, Server.Requests);
    }

    [Fact]
    public void An_out_of_range_timeout_fails_at_registration()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new ClientFixture(o => o.Timeout = TimeSpan.Zero));

        Assert.Contains("FuseboxHttpHandlerOptions.Timeout must be greater than zero", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_callers_own_cancellation_is_not_a_failure()
    {
        using var fixture = new ClientFixture();
        var client = fixture.Client;
        Server.Behavior = Behavior.Hang;

        for (int i = 0; i < 6; i++)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetAsync(Url(), cts.Token));
        }

        var snapshot = fixture.BreakerFor(Server.BaseAddress).Snapshot();
        Assert.Equal(BreakerState.Closed, snapshot.State);
        Assert.Equal(6, snapshot.IgnoredCalls);
    }

    [Fact]
    public async Task Configured_settings_of_the_client_apply_to_its_per_host_breakers()
    {
        using var fixture = new ClientFixture(settings: new Dictionary<string, string?> { ["Fusebox:Breakers:fraud:FailureThreshold"] = "2" });
        Server.Behavior = Behavior.ServerError;

        await SendTimesAsync(fixture.Client, Url(), 2);

        Assert.Equal(BreakerState.Open, fixture.BreakerFor(Server.BaseAddress).State);
    }

    [Fact]
    public async Task Sync_send_goes_through_the_breaker_too()
    {
        using var fixture = new ClientFixture();
        var client = fixture.Client;
        Server.Behavior = Behavior.ServerError;

        for (int i = 0; i < 5; i++)
        {
            using var response = await Task.Run(() => client.Send(new HttpRequestMessage(HttpMethod.Get, Url())));
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        }

        await Assert.ThrowsAsync<CircuitOpenException>(() => Task.Run(() => client.Send(new HttpRequestMessage(HttpMethod.Get, Url()))));
        Assert.Equal(5, Server.Requests);
    }

    [Fact]
    public async Task Rejections_are_logged_at_debug_only()
    {
        using var fixture = new ClientFixture();
        var client = fixture.Client;
        Server.Behavior = Behavior.ServerError;
        await SendTimesAsync(client, Url(), 5);

        for (int i = 0; i < 10; i++)
        {
            await Assert.ThrowsAsync<CircuitOpenException>(() => client.GetAsync(Url()));
        }

        var rejections = fixture.Logs.GetSnapshot().Where(r => r.Id.Name == "CallRejected").ToList();
        Assert.Equal(10, rejections.Count);
        Assert.All(rejections, r => Assert.Equal(LogLevel.Debug, r.Level));
        Assert.Single(fixture.Logs.GetSnapshot(), r => r.Level >= LogLevel.Warning); // the one "opened" line
    }
}
