using System.Net;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Fusebox.AspNetCore.Tests;

/// <summary>The dashboard's rolling numbers, latency, last failure, volume circle and server-side history, driven by real
/// calls through breakers that collect statistics on a <see cref="FakeTimeProvider"/>.</summary>
public class DashboardStatisticsBrowserTests
{
    private static readonly CircuitBreakerOptions s_statistics = new() { CollectStatistics = true, TripPolicy = TripPolicy.ConsecutiveFailures(100) };

    [Fact]
    public async Task The_card_says_why_the_last_failure_type_or_http_status_and_message_and_the_last_transition_reason_as_text()
    {
        const string hostile = "fraud provider refused <img src=x onerror=alert(7)>";
        await using var app = await AdminApp.StartAsync(kestrel: true, time: new FakeTimeProvider(DateTimeOffset.UtcNow));
        var fraud = app.Registry.GetOrAdd("fraud-service", new CircuitBreakerOptions { CollectStatistics = true });
        for (int i = 0; i < 5; i++)
        {
            await Assert.ThrowsAsync<HttpRequestException>(async () => await fraud.ExecuteAsync<int>(_ => ValueTask.FromException<int>(new HttpRequestException(hostile))));
        }

        var pricing = app.Registry.GetOrAdd("pricing", new CircuitBreakerOptions
        {
            CollectStatistics = true,
            ShouldHandleResult = ResultPredicate.Handle<HttpResponseMessage>(r => (int)r.StatusCode >= 500),
        });
        using var unavailable = await pricing.ExecuteAsync(_ => ValueTask.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)));
        var failure = fraud.Snapshot().Statistics!.LastFailure!;
        Assert.Equal(("HttpRequestException", hostile), (failure.Type, failure.Detail));
        Assert.Equal("HTTP 503", pricing.Snapshot().Statistics!.LastFailure!.Type);

        await using var session = await DashboardSession.OpenAsync(app);

        var card = session.Card("fraud-service");
        await Expect(card.Locator(".failure")).ToHaveTextAsync($"Last failure {DashboardSession.Clock(failure.At)}: Exception · HttpRequestException: {hostile}");
        var snapshot = fraud.Snapshot();
        await Expect(card.Locator(".reason")).ToHaveTextAsync($"Last change: ConsecutiveFailures: {snapshot.LastReasonDescription}");
        await Expect(session.Card("pricing").Locator(".failure")).ToContainTextAsync(": Result · HTTP 503");
        Assert.Equal(TransitionReason.Created, pricing.Snapshot().LastReason);
        await Expect(session.Card("pricing").Locator(".reason")).ToHaveTextAsync(""); // no change yet: no line
        await session.AssertNothingRanAsync();
    }

    [Fact]
    public async Task Rolling_numbers_cover_the_last_10_s_and_tell_timeouts_from_errors()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await AdminApp.StartAsync(kestrel: true, time: time);
        var breaker = app.Registry.GetOrAdd("fraud-service", s_statistics.Clone());
        for (int i = 0; i < 7; i++)
        {
            await breaker.ExecuteAsync(_ => ValueTask.FromResult(1));
        }

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await breaker.ExecuteAsync<int>(_ => throw new InvalidOperationException("boom")));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await breaker.ExecuteAsync<int>(_ => throw new InvalidOperationException("boom")));
        await Assert.ThrowsAsync<TimeoutException>(async () => await breaker.ExecuteAsync<int>(_ => throw new TimeoutException("fraud check took too long")));

        await using var session = await DashboardSession.OpenAsync(app);

        await Expect(session.Number("fraud-service", "rps")).ToHaveTextAsync("1.0"); // 10 calls / 10 s
        await Expect(session.Number("fraud-service", "errorRate")).ToHaveTextAsync("30.0%");
        await Expect(session.Number("fraud-service", "errors")).ToHaveTextAsync("2");
        await Expect(session.Number("fraud-service", "timeouts")).ToHaveTextAsync("1");
        await Expect(session.Card("fraud-service").Locator(".failure")).ToContainTextAsync("Timeout · TimeoutException: fraud check took too long");

        time.Advance(TimeSpan.FromSeconds(11)); // the window moves past every call; the stream's next tick brings it
        await Expect(session.Number("fraud-service", "rps")).ToHaveTextAsync("0.0");
        await Expect(session.Number("fraud-service", "errorRate")).ToHaveTextAsync("0.0%");
        await Expect(session.Number("fraud-service", "timeouts")).ToHaveTextAsync("0");
        await Expect(session.Card("fraud-service").Locator(".lifetime")).ToHaveTextAsync("Lifetime: 10 calls · 3 failed · 0 rejected · 0 changes");
    }

    [Fact]
    public async Task Latency_percentiles_are_the_breakers_own()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await AdminApp.StartAsync(kestrel: true, time: time);
        var breaker = app.Registry.GetOrAdd("fraud-service", s_statistics.Clone());
        foreach (int ms in new[] { 40, 40, 40, 40, 40, 40, 40, 40, 40, 400 })
        {
            await breaker.ExecuteAsync(_ =>
            {
                time.Advance(TimeSpan.FromMilliseconds(ms)); // the call takes ms on the breaker's clock
                return ValueTask.FromResult(1);
            });
        }

        var latency = breaker.Snapshot().Statistics!.Latency;
        Assert.Equal(10, latency.Count);
        Assert.InRange(latency.P50.TotalMilliseconds, 40, 45); // a bucket's upper bound: at most 12.5 % above
        Assert.InRange(latency.P90.TotalMilliseconds, 40, 45);
        Assert.InRange(latency.P99.TotalMilliseconds, 400, 450);

        await using var session = await DashboardSession.OpenAsync(app);

        await Expect(session.Number("fraud-service", "p50")).ToHaveTextAsync(DashboardSession.Latency(latency.P50.TotalMilliseconds));
        await Expect(session.Number("fraud-service", "p90")).ToHaveTextAsync(DashboardSession.Latency(latency.P90.TotalMilliseconds));
        await Expect(session.Number("fraud-service", "p99")).ToHaveTextAsync(DashboardSession.Latency(latency.P99.TotalMilliseconds));
        await Expect(session.Number("fraud-service", "max")).ToHaveTextAsync(DashboardSession.Latency(latency.Max.TotalMilliseconds));
    }

    [Fact]
    public async Task The_volume_circle_is_sized_by_traffic_and_coloured_by_health()
    {
        await using var app = await AdminApp.StartAsync(kestrel: true, time: new FakeTimeProvider(DateTimeOffset.UtcNow));
        app.Registry.GetOrAdd("busy", s_statistics.Clone()).SucceedTimes(100); // 10 req/s
        var flaky = app.Registry.GetOrAdd("flaky", s_statistics.Clone());
        flaky.SucceedTimes(9);
        flaky.FailTimes(1); // 10 % errors, 1 req/s
        var failing = app.Registry.GetOrAdd("failing", s_statistics.Clone());
        failing.SucceedTimes(1);
        failing.FailTimes(1); // 50 %
        app.Registry.GetOrAdd("quiet", s_statistics.Clone());
        app.Registry.GetOrAdd("down", new CircuitBreakerOptions { CollectStatistics = true }).FailTimes(5);
        app.Registry.GetOrAdd("no-statistics");

        await using var session = await DashboardSession.OpenAsync(app);

        async Task Circle(string name, string health, int diameter)
        {
            var circle = session.Card(name).Locator(".volume");
            await Expect(circle).ToHaveAttributeAsync("data-health", health);
            Assert.Equal(diameter, await circle.EvaluateAsync<double>("e => e.getBoundingClientRect().width"));
        }

        // 10 px at 0 req/s, growing with log10(1 + req/s) to 32 px at 1,000 req/s
        await Circle("busy", "healthy", 18);
        await Circle("flaky", "warning", 12);
        await Circle("failing", "failing", 11);
        await Circle("quiet", "healthy", 10);
        await Circle("down", "down", 11); // 5 failures: 0.5 req/s
        await Circle("no-statistics", "idle", 10);
        var colours = await session.Page.Locator(".volume").EvaluateAllAsync<string[]>("es => es.map(e => getComputedStyle(e).backgroundColor)");
        Assert.True(colours.Distinct().Count() >= 4, string.Join(", ", colours)); // healthy, warning, failing, down, idle differ
    }

    [Fact]
    public async Task The_transition_history_comes_from_the_server_and_survives_a_reload()
    {
        const string reason = "INC-7 <img src=x onerror=alert(8)>";
        await using var app = await AdminApp.StartAsync(kestrel: true);
        var breaker = app.Registry.GetOrAdd("fraud-service");
        breaker.FailTimes(5);
        await using var session = await DashboardSession.OpenAsync(app);
        var card = session.Card("fraud-service");
        await Expect(card).ToHaveAttributeAsync("data-state", "open");

        await session.ControlAsync("fraud-service", "reset", reason);
        await Expect(card).ToHaveAttributeAsync("data-state", "closed");
        var transitions = breaker.Snapshot().RecentTransitions;
        Assert.Equal(2, transitions.Count);
        string[] expected =
        [
            $"{DashboardSession.Clock(transitions[1].At)} Open → Closed · ManualReset: reset by alice via the admin API: {reason}",
            $"{DashboardSession.Clock(transitions[0].At)} Closed → Open · ConsecutiveFailures: {transitions[0].Description}",
        ];
        await Expect(card.Locator(".history li")).ToHaveTextAsync(expected); // newest first
        await Expect(card.Locator(".history summary")).ToHaveTextAsync("History (2)");

        await session.Page.ReloadAsync(); // nothing kept in the browser: the history is the server's ring
        await Expect(card.Locator(".history li")).ToHaveTextAsync(expected);
        var chips = await card.Locator(".timeline span").EvaluateAllAsync<string[]>("es => es.map(e => e.dataset.to)");
        Assert.Equal(["open", "closed"], chips); // oldest first, coloured by the state entered
        await session.AssertNothingRanAsync();
    }
}
