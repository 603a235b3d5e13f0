using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Fusebox.Http.Tests;

public class StandardHandlerTests : OneServerTests
{
    private Uri Url => new(Server.BaseAddress, "check");

    private static ClientFixture Standard(Action<FuseboxStandardHandlerOptions>? configure = null, Dictionary<string, string?>? settings = null) =>
        new(settings, services => services.AddHttpClient("fraud").AddFuseboxStandardHandler(configure));

    [Fact]
    public void The_defaults_are_the_standard_handlers()
    {
        using var fixture = Standard();

        var options = fixture.Services.GetRequiredService<IOptionsMonitor<FuseboxStandardHandlerOptions>>().Get("fraud");
        var breaker = fixture.BreakerFor(Server.BaseAddress);

        Assert.Equal(TimeSpan.FromSeconds(30), options.TotalTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), options.AttemptTimeout);
        Assert.Equal(4, options.Retry.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Retry.BaseDelay);
        Assert.Equal(BackoffKind.Exponential, options.Retry.Backoff);
        Assert.Equal(JitterKind.Full, options.Retry.Jitter);
        Assert.NotNull(options.Retry.Budget);
        var window = Assert.IsType<TimeWindowPolicy>(breaker.Options.TripPolicy);
        Assert.Equal(TimeSpan.FromSeconds(30), window.Window);
        Assert.Equal(0.1, window.FailureRateThreshold);
        Assert.Equal(100, window.MinimumCalls);
        Assert.Equal(TimeSpan.FromSeconds(5), breaker.Options.BreakDuration);
    }

    [Fact]
    public void Configured_breaker_settings_win_over_the_standard_defaults()
    {
        using var fixture = Standard(settings: new() { ["Fusebox:Breakers:fraud:FailureThreshold"] = "3", ["Fusebox:Defaults:BreakDuration"] = "00:00:20" });

        var breaker = fixture.BreakerFor(Server.BaseAddress);

        Assert.IsNotType<TimeWindowPolicy>(breaker.Options.TripPolicy);
        Assert.Equal(TimeSpan.FromSeconds(20), breaker.Options.BreakDuration);
    }

    [Fact]
    public void The_retry_budget_is_one_per_client_and_survives_handler_rotation()
    {
        using var fixture = new ClientFixture(null, services =>
        {
            services.AddHttpClient("fraud").AddFuseboxStandardHandler();
            services.AddHttpClient("ledger").AddFuseboxStandardHandler();
        });
        var monitor = fixture.Services.GetRequiredService<IOptionsMonitor<FuseboxStandardHandlerOptions>>();

        Assert.Same(monitor.Get("fraud").Retry.Budget, monitor.Get("fraud").Retry.Budget);
        Assert.NotSame(monitor.Get("fraud").Retry.Budget, monitor.Get("ledger").Retry.Budget);
    }

    [Fact]
    public async Task Server_errors_are_retried_with_exponential_backoff_and_count_once()
    {
        using var fixture = Standard(o => o.Retry.Jitter = JitterKind.None);
        Server.Behavior = Behavior.ServerError;
        Server.FailFirst = 2;

        var pending = fixture.Client.GetAsync(Url);
        await fixture.Time.WaitForTimerAsync(TimeSpan.FromSeconds(2));
        fixture.Time.Advance(TimeSpan.FromSeconds(2));
        await fixture.Time.WaitForTimerAsync(TimeSpan.FromSeconds(4));
        fixture.Time.Advance(TimeSpan.FromSeconds(4));
        using var response = await pending.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, Server.Requests);
        var snapshot = fixture.BreakerFor(Server.BaseAddress).Snapshot();
        Assert.Equal(1, snapshot.TotalCalls);
        Assert.Equal(1, snapshot.SuccessfulCalls);
    }

    [Fact]
    public async Task The_total_timeout_ends_the_retries_of_a_hung_server()
    {
        using var fixture = Standard(o =>
        {
            o.AttemptTimeout = TimeSpan.FromSeconds(10);
            o.TotalTimeout = TimeSpan.FromSeconds(15);
            o.Retry.BaseDelay = TimeSpan.FromSeconds(1);
            o.Retry.Jitter = JitterKind.None;
        });
        Server.Behavior = Behavior.Hang;

        var pending = fixture.Client.GetAsync(Url);
        await WaitUntilAsync(() => Server.Requests == 1);
        fixture.Time.Advance(TimeSpan.FromSeconds(10)); // the first attempt times out
        await fixture.Time.WaitForTimerAsync(TimeSpan.FromSeconds(1));
        fixture.Time.Advance(TimeSpan.FromSeconds(1)); // the back-off
        await WaitUntilAsync(() => Server.Requests == 2);
        fixture.Time.Advance(TimeSpan.FromSeconds(4)); // 15 s in all: the total timeout, inside the second attempt

        var ex = await Assert.ThrowsAsync<CallTimeoutException>(() => pending.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(TimeSpan.FromSeconds(15), ex.Timeout);
        Assert.Equal(2, Server.Requests);
        Assert.Equal(1, fixture.BreakerFor(Server.BaseAddress).Snapshot().FailedCalls);
    }

    [Fact]
    public void A_total_timeout_below_the_attempt_timeout_fails_naming_both()
    {
        using var fixture = Standard(o => o.TotalTimeout = TimeSpan.FromSeconds(5));

        var ex = Assert.Throws<OptionsValidationException>(() => fixture.Client);

        Assert.Contains("FuseboxStandardHandlerOptions.TotalTimeout (00:00:05) must be at least FuseboxStandardHandlerOptions.AttemptTimeout (00:00:10)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_breaker_window_shorter_than_twice_the_attempt_timeout_fails_naming_both()
    {
        using var fixture = Standard(o => o.AttemptTimeout = TimeSpan.FromSeconds(20));

        var ex = Assert.Throws<OptionsValidationException>(() => fixture.Client);

        Assert.Contains("Fusebox:Breakers:fraud:WindowDuration, 00:00:30) must be at least twice FuseboxStandardHandlerOptions.AttemptTimeout (00:00:20)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task From_ConfigureHttpClientDefaults_each_authority_gets_its_own_breaker_whichever_client_calls()
    {
        await using var other = await DependencyServer.StartAsync();
        var settings = new Dictionary<string, string?> { ["Fusebox:Breakers:http:TripPolicy"] = "ConsecutiveFailures", ["Fusebox:Breakers:http:FailureThreshold"] = "2" };
        using var fixture = new ClientFixture(settings, services =>
        {
            services.ConfigureHttpClientDefaults(b => b.AddFuseboxStandardHandler(o => o.Retry.MaxAttempts = 1));
            services.AddHttpClient("fraud");
            services.AddHttpClient("ledger");
        });
        Server.Behavior = Behavior.ServerError;

        for (int i = 0; i < 2; i++)
        {
            using var _ = await fixture.ClientNamed("fraud").GetAsync(Url);
        }

        await Assert.ThrowsAsync<CircuitOpenException>(() => fixture.ClientNamed("ledger").GetAsync(Url)); // the same host
        using var fromOther = await fixture.ClientNamed("fraud").GetAsync(new Uri(other.BaseAddress, "x")); // another host
        Assert.Equal(HttpStatusCode.OK, fromOther.StatusCode);
        Assert.Equal(2, Server.Requests);
        string[] expected = [$"http/{Server.BaseAddress.GetLeftPart(UriPartial.Authority)}", $"http/{other.BaseAddress.GetLeftPart(UriPartial.Authority)}"];
        Assert.Equal(expected.Order(StringComparer.Ordinal), fixture.Registry.Report().Select(r => r.Name)); // Report is ordered by name
    }
}
