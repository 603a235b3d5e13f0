using System.Net;

namespace Fusebox.Http.Tests;

public class RetryTests : OneServerTests
{
    private Uri Url => new(Server.BaseAddress, "check");

    /// <summary>
    /// Sends a GET, waits (bounded) until the retry's delay timer of <paramref name="wait"/> is armed on the fake clock,
    /// then advances the clock by that wait. Waiting for <c>OnRetry</c> instead was a race: it runs before the delay's
    /// timer is created, and a clock advanced in between leaves that timer unfired (the GET then hangs).
    /// </summary>
    private async Task<HttpResponseMessage> GetThroughFirstRetryAsync(ClientFixture fixture, TimeSpan wait)
    {
        var pending = fixture.Client.GetAsync(Url);
        await fixture.Time.WaitForTimerAsync(wait);

        fixture.Time.Advance(wait);
        return await pending.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static RetryOptions Immediate(int attempts = 3) => new() { MaxAttempts = attempts, BaseDelay = TimeSpan.Zero, Jitter = JitterKind.None };

    [Fact]
    public async Task A_GET_is_retried_on_a_server_error_and_the_caller_sees_the_success()
    {
        using var fixture = new ClientFixture(o => o.Retry = Immediate());
        Server.Behavior = Behavior.ServerError;
        Server.FailFirst = 2;

        using var response = await fixture.Client.GetAsync(Url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, Server.Requests);
        Assert.Equal(1, fixture.BreakerFor(Server.BaseAddress).Snapshot().SuccessfulCalls);
    }

    [Fact]
    public async Task A_failed_sequence_counts_once_for_the_breaker()
    {
        using var fixture = new ClientFixture(o => o.Retry = Immediate());
        Server.Behavior = Behavior.ServerError;

        using var response = await fixture.Client.GetAsync(Url);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(3, Server.Requests);
        var snapshot = fixture.BreakerFor(Server.BaseAddress).Snapshot();
        Assert.Equal(1, snapshot.FailedCalls);
        Assert.Equal(1, snapshot.TotalCalls);
    }

    [Fact]
    public async Task A_POST_is_not_retried_unless_configured()
    {
        using var fixture = new ClientFixture(o => o.Retry = Immediate());
        Server.Behavior = Behavior.ServerError;

        using var response = await fixture.Client.PostAsync(Url, new StringContent("payment-1"));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(1, Server.Requests);
        Assert.Equal(["payment-1"], Server.Bodies);
    }

    [Fact]
    public async Task A_POST_is_retried_with_its_body_intact_when_allowed()
    {
        using var fixture = new ClientFixture(o =>
        {
            o.Retry = Immediate();
            o.RetryNonIdempotentMethods = true;
        });
        Server.Behavior = Behavior.ServerError;
        Server.FailFirst = 1;

        using var response = await fixture.Client.PostAsync(Url, new StreamContent(new MemoryStream("payment-2"u8.ToArray())));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["payment-2", "payment-2"], Server.Bodies);
    }

    [Fact]
    public async Task A_PUT_and_a_DELETE_are_idempotent_and_retried()
    {
        using var fixture = new ClientFixture(o => o.Retry = Immediate(attempts: 2));
        Server.Behavior = Behavior.ServerError;
        Server.FailFirst = 1;

        using var put = await fixture.Client.PutAsync(Url, new StringContent("x"));
        Server.FailFirst = 3;
        using var delete = await fixture.Client.DeleteAsync(Url);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        Assert.Equal(4, Server.Requests);
    }

    [Fact]
    public async Task Retry_After_from_a_503_sets_the_delay()
    {
        var delays = new List<TimeSpan>();
        using var fixture = new ClientFixture(o => o.Retry = new RetryOptions { MaxAttempts = 2, Jitter = JitterKind.None, OnRetry = e => delays.Add(e.Delay) });
        Server.Behavior = Behavior.Unavailable; // answers Retry-After: 7
        Server.FailFirst = 1;

        using var response = await GetThroughFirstRetryAsync(fixture, TimeSpan.FromSeconds(7));

        Assert.Equal([TimeSpan.FromSeconds(7)], delays);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_Retry_After_date_is_read_against_the_breakers_clock()
    {
        // The fake clock is at 2000-01-01; an HTTP date 12 s after it means "in 12 s" for this client. Read against the
        // system clock (as before), it is decades in the past: no wait at all.
        var delays = new List<TimeSpan>();
        using var fixture = new ClientFixture(o => o.Retry = new RetryOptions { MaxAttempts = 2, Jitter = JitterKind.None, OnRetry = e => delays.Add(e.Delay) });
        Server.Behavior = Behavior.Unavailable;
        Server.RetryAfter = (fixture.Time.GetUtcNow() + TimeSpan.FromSeconds(12)).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        Server.FailFirst = 1;

        using var response = await GetThroughFirstRetryAsync(fixture, TimeSpan.FromSeconds(12));

        Assert.Equal([TimeSpan.FromSeconds(12)], delays);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Retry_After_is_capped_by_the_max_delay()
    {
        var delays = new List<TimeSpan>();
        using var fixture = new ClientFixture(o => o.Retry = new RetryOptions
        {
            MaxAttempts = 2, Jitter = JitterKind.None, BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.FromSeconds(2), OnRetry = e => delays.Add(e.Delay),
        });
        Server.Behavior = Behavior.Unavailable;
        Server.FailFirst = 1;

        using var response = await GetThroughFirstRetryAsync(fixture, TimeSpan.FromSeconds(2));

        Assert.Equal([TimeSpan.FromSeconds(2)], delays);
    }

    [Fact]
    public async Task A_rejection_with_retries_configured_still_throws_BrokenCircuitException_without_sending()
    {
        using var fixture = new ClientFixture(o => o.Retry = Immediate());
        fixture.BreakerFor(Server.BaseAddress).Isolate();

        await Assert.ThrowsAsync<CircuitOpenException>(() => fixture.Client.GetAsync(Url));

        Assert.Equal(0, Server.Requests);
    }

    [Fact]
    public async Task A_rejection_with_retries_can_still_be_a_synthesized_503()
    {
        using var fixture = new ClientFixture(o =>
        {
            o.Retry = Immediate();
            o.WhenOpen = RejectionBehavior.Return503;
        });
        fixture.BreakerFor(Server.BaseAddress).Isolate();

        using var response = await fixture.Client.GetAsync(Url);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(0, Server.Requests);
    }

    [Fact]
    public async Task Connection_resets_are_retried()
    {
        using var fixture = new ClientFixture(o => o.Retry = Immediate());
        Server.Behavior = Behavior.Reset;
        Server.FailFirst = 2;

        using var response = await fixture.Client.GetAsync(Url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, Server.Requests);
    }

    [Fact]
    public void Invalid_retry_options_fail_at_registration()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new ClientFixture(o => o.Retry = new RetryOptions { MaxAttempts = 0 }));

        Assert.Contains("RetryOptions.MaxAttempts must be in [1, 100]", ex.Message, StringComparison.Ordinal);
    }
}
