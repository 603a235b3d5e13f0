using System.Net.Http.Json;
using System.Text.Json;
using Fusebox.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.AspNetCore.Tests;

/// <summary>The admin API's statistics, history, options and configured-breaker fields.</summary>
public class StatisticsApiTests
{
    [Fact]
    public async Task A_breaker_view_carries_its_rolling_statistics_with_timeouts_apart_and_latency_in_milliseconds()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await AdminApp.StartAsync(time: time);
        var breaker = app.Registry.GetOrAdd("fraud-service", new CircuitBreakerOptions { CollectStatistics = true, TripPolicy = TripPolicy.ConsecutiveFailures(100) });
        for (int i = 0; i < 3; i++)
        {
            await breaker.ExecuteAsync(_ =>
            {
                time.Advance(TimeSpan.FromMilliseconds(20));
                return ValueTask.FromResult(1);
            });
        }

        await Assert.ThrowsAsync<TimeoutException>(async () => await breaker.ExecuteAsync<int>(_ => throw new TimeoutException("took too long")));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await breaker.ExecuteAsync<int>(_ => throw new InvalidOperationException("line 1\nline 2")));
        var expected = breaker.Snapshot().Statistics!;

        var view = await app.Client.GetFromJsonAsync<JsonElement>("/fusebox/api/breakers/fraud-service");

        var s = view.GetProperty("statistics");
        Assert.Equal(10, s.GetProperty("windowSeconds").GetDouble());
        Assert.Equal(5, s.GetProperty("requests").GetInt64());
        Assert.Equal(3, s.GetProperty("successes").GetInt64());
        Assert.Equal(2, s.GetProperty("failures").GetInt64());
        Assert.Equal(1, s.GetProperty("timeouts").GetInt64());
        Assert.Equal(0, s.GetProperty("rejections").GetInt64());
        Assert.Equal(0.5, s.GetProperty("requestsPerSecond").GetDouble());
        Assert.Equal(0.4, s.GetProperty("errorRate").GetDouble(), 10);
        var latency = s.GetProperty("latency");
        Assert.Equal(expected.Latency.Count, latency.GetProperty("count").GetInt64());
        Assert.Equal(expected.Latency.P50.TotalMilliseconds, latency.GetProperty("p50Ms").GetDouble());
        Assert.Equal(expected.Latency.P99.TotalMilliseconds, latency.GetProperty("p99Ms").GetDouble());
        Assert.Equal(expected.Latency.Max.TotalMilliseconds, latency.GetProperty("maxMs").GetDouble());
        Assert.InRange(latency.GetProperty("p50Ms").GetDouble(), 20, 22.5);
        var failure = s.GetProperty("lastFailure");
        Assert.Equal("Exception", failure.GetProperty("kind").GetString());
        Assert.Equal("InvalidOperationException", failure.GetProperty("type").GetString());
        Assert.Equal(expected.LastFailure!.Detail, failure.GetProperty("detail").GetString());
        Assert.Equal(expected.LastFailure.At, failure.GetProperty("at").GetDateTimeOffset());
    }

    [Fact]
    public async Task Without_statistics_the_field_is_null_and_the_options_say_so()
    {
        await using var app = await AdminApp.StartAsync();
        app.Registry.GetOrAdd("fraud-service");

        var view = await app.Client.GetFromJsonAsync<JsonElement>("/fusebox/api/breakers/fraud-service");

        Assert.Equal(JsonValueKind.Null, view.GetProperty("statistics").ValueKind);
        Assert.False(view.GetProperty("options").GetProperty("collectStatistics").GetBoolean());
        Assert.Equal(0, view.GetProperty("recentTransitions").GetArrayLength());
    }

    [Fact]
    public async Task A_breaker_view_carries_its_recent_transitions_oldest_first_and_the_backoff_options()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await AdminApp.StartAsync(time: time);
        var breaker = app.Registry.GetOrAdd("fraud-service", new CircuitBreakerOptions
        {
            BreakDuration = TimeSpan.FromSeconds(10),
            BreakDurationBackoff = 2,
            MaxBreakDuration = TimeSpan.FromMinutes(1),
            BreakDurationJitter = 0.25,
            JitterSource = () => 0,
        });
        breaker.FailTimes(5);
        time.Advance(TimeSpan.FromSeconds(10));
        breaker.FailTimes(1); // the probe fails: re-opened, the second break doubled
        var recorded = breaker.Snapshot().RecentTransitions;

        var view = await app.Client.GetFromJsonAsync<JsonElement>("/fusebox/api/breakers/fraud-service");

        var transitions = view.GetProperty("recentTransitions").EnumerateArray().ToArray();
        Assert.Equal(["closed>open", "open>half_open", "half_open>open"],
            transitions.Select(t => t.GetProperty("from").GetString() + ">" + t.GetProperty("to").GetString()));
        Assert.Equal(recorded.Select(t => t.Reason.ToString()), transitions.Select(t => t.GetProperty("reason").GetString()));
        Assert.Equal(recorded.Select(t => t.Generation), transitions.Select(t => t.GetProperty("generation").GetInt64()));
        Assert.Equal(recorded[0].At, transitions[0].GetProperty("at").GetDateTimeOffset());
        Assert.Equal(recorded[0].Description, transitions[0].GetProperty("description").GetString());
        Assert.Equal(1, view.GetProperty("consecutiveOpens").GetInt32()); // re-opens since the last close
        var options = view.GetProperty("options");
        Assert.Equal(2, options.GetProperty("breakDurationBackoff").GetDouble());
        Assert.Equal(0.25, options.GetProperty("breakDurationJitter").GetDouble());
        Assert.Equal("00:01:00", options.GetProperty("maxBreakDuration").GetString());
    }

    [Fact]
    public async Task Configured_lists_the_configured_breakers_nothing_has_called_with_their_options()
    {
        await using var app = await AdminApp.StartAsync(fusebox: o =>
        {
            o.Breakers["payments"] = new BreakerConfiguration { FailureThreshold = 3, BreakDuration = TimeSpan.FromSeconds(10), Critical = true };
            o.Breakers["Ledger"] = new BreakerConfiguration(); // in use by the breaker "ledger": keys match ignoring case
            o.Breakers["fraud"] = new BreakerConfiguration(); // in use by the per-authority breaker "fraud/host:443"
            o.Breakers["fraudster"] = new BreakerConfiguration(); // not in use: "fraud/host:443" is not under it
        });
        app.Registry.GetOrAdd("ledger");
        app.Registry.GetOrAdd("fraud/host:443");

        var configured = await app.Client.GetFromJsonAsync<JsonElement>("/fusebox/api/configured");

        Assert.Equal(["fraudster", "payments"], configured.EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        var payments = configured[1];
        Assert.True(payments.GetProperty("critical").GetBoolean());
        Assert.Equal("00:00:10", payments.GetProperty("options").GetProperty("breakDuration").GetString());
        Assert.Equal(TripPolicy.ConsecutiveFailures(3).ToString(), payments.GetProperty("options").GetProperty("tripPolicy").GetString());

        app.Registry.GetOrAdd("payments");
        Assert.Equal(["fraudster"], (await app.Client.GetFromJsonAsync<JsonElement>("/fusebox/api/configured")).EnumerateArray().Select(c => c.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task The_event_streams_snapshot_carries_the_history_and_its_changes_leave_it_out()
    {
        await using var app = await AdminApp.StartAsync(kestrel: true, snapshotInterval: TimeSpan.FromMilliseconds(100));
        var breaker = app.Registry.GetOrAdd("fraud-service");
        breaker.Isolate("INC-1");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await app.Client.GetAsync("/fusebox/api/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
        var events = EventStreamTests.ReadEventsAsync(body).GetAsyncEnumerator(timeout.Token);

        Assert.True(await events.MoveNextAsync());
        Assert.Equal("snapshot", events.Current.Event);
        var history = JsonDocument.Parse(events.Current.Data).RootElement[0].GetProperty("recentTransitions");
        Assert.Equal("INC-1", Assert.Single(history.EnumerateArray()).GetProperty("description").GetString());

        app.Registry.GetOrAdd("fraud-service").Reset("INC-2"); // a state event, then a changes item for the breaker
        JsonElement? changed = null;
        while (changed is null && await events.MoveNextAsync())
        {
            if (events.Current.Event == "changes")
            {
                changed = JsonDocument.Parse(events.Current.Data).RootElement[0];
            }
        }

        Assert.Equal("closed", changed!.Value.GetProperty("state").GetString());
        Assert.False(changed.Value.TryGetProperty("recentTransitions", out _));
        await events.DisposeAsync();
    }
}
