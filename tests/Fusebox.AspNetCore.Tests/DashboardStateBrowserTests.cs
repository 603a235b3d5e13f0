using Fusebox.Coordination;
using Fusebox.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Fusebox.AspNetCore.Tests;

/// <summary>The dashboard's answers to "since when", "configured how", "how far is the probe", "what is configured but
/// silent", and its severity order and filters, each checked against the breaker's known state.</summary>
public class DashboardStateBrowserTests
{
    [Fact]
    public async Task Each_card_says_since_when_its_state_holds_in_clock_time_and_relative()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromHours(2) - TimeSpan.FromMinutes(5));
        await using var app = await AdminApp.StartAsync(kestrel: true, time: time);
        var fraud = app.Registry.GetOrAdd("fraud-service");
        var ledger = app.Registry.GetOrAdd("ledger");
        time.Advance(TimeSpan.FromSeconds(30));
        fraud.FailTimes(5);
        var openedAt = fraud.Snapshot().OpenedAt!.Value;

        await using var session = await DashboardSession.OpenAsync(app);

        // The page's clock is the real one: 2 h 4 min 30 s after the fake opening, plus the test's own seconds (under a
        // minute on a loaded machine).
        await Expect(session.Card("fraud-service").Locator(".since"))
            .ToHaveTextAsync(new System.Text.RegularExpressions.Regex($"^Open since {DashboardSession.Clock(openedAt)} · 2 h [45] min ago$"));
        await Expect(session.Card("fraud-service").Locator(".since")).ToHaveAttributeAsync("title",
            new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(openedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture))));
        var created = ledger.Snapshot().LastChangedAt;
        await Expect(session.Card("ledger").Locator(".since"))
            .ToHaveTextAsync(new System.Text.RegularExpressions.Regex($"^Closed since {DashboardSession.Clock(created)} · 2 h [56] min ago$"));
    }

    [Fact]
    public async Task An_open_breaker_counts_down_to_half_open_and_says_how_often_it_re_opened()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await AdminApp.StartAsync(kestrel: true, time: time);
        var breaker = app.Registry.GetOrAdd("fraud-service", new CircuitBreakerOptions
        {
            BreakDuration = TimeSpan.FromSeconds(10),
            BreakDurationBackoff = 2,
            MaxBreakDuration = TimeSpan.FromMinutes(1),
        });
        breaker.FailTimes(5);
        time.Advance(TimeSpan.FromSeconds(10));
        breaker.FailTimes(1); // the probe fails: open again, for twice the break
        Assert.Equal((1, TimeSpan.FromSeconds(20)), (breaker.Snapshot().ConsecutiveOpens, breaker.Snapshot().RetryAfter));

        await using var session = await DashboardSession.OpenAsync(app);

        // the page counts down on its own clock from the 20 s the snapshot gave
        await Expect(session.Card("fraud-service").Locator(".countdown"))
            .ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^ · half-open in (20|19|18|17) s · re-opened 1× since it last closed$"));
    }

    [Fact]
    public async Task The_configuration_in_force_is_on_each_card()
    {
        await using var app = await AdminApp.StartAsync(kestrel: true);
        var breaker = app.Registry.GetOrAdd("fraud-service", new CircuitBreakerOptions
        {
            TripPolicy = TripPolicy.FailureRate(0.5, windowSize: 20, minimumCalls: 10),
            BreakDuration = TimeSpan.FromSeconds(30),
            BreakDurationBackoff = 2,
            MaxBreakDuration = TimeSpan.FromMinutes(5),
            BreakDurationJitter = 0.2,
            HalfOpenPermits = 4,
            SuccessesToClose = 2,
            ProbeTimeout = TimeSpan.FromSeconds(10),
            SlowCallThreshold = TimeSpan.FromSeconds(2),
            CollectStatistics = true,
        });
        app.Registry.GetOrAdd("plain");

        await using var session = await DashboardSession.OpenAsync(app);

        var config = session.Card("fraud-service").Locator(".config dd");
        await Expect(config.And(session.Page.Locator("[data-key=trip]"))).ToHaveTextAsync(breaker.Snapshot().TripPolicy);
        await Expect(config.And(session.Page.Locator("[data-key=break]"))).ToHaveTextAsync("30 s × 2 per re-open, at most 5 min, up to 20.0% shorter (jitter)");
        await Expect(config.And(session.Page.Locator("[data-key=probes]"))).ToHaveTextAsync("4 probes, closes after 2 successes");
        await Expect(config.And(session.Page.Locator("[data-key=probeTimeout]"))).ToHaveTextAsync("10 s");
        await Expect(config.And(session.Page.Locator("[data-key=slow]"))).ToHaveTextAsync("≥ 2 s");
        await Expect(config.And(session.Page.Locator("[data-key=statistics]"))).ToHaveTextAsync("on (last 10 s)");
        var plain = session.Card("plain").Locator(".config dd");
        await Expect(plain.And(session.Page.Locator("[data-key=break]"))).ToHaveTextAsync("30 s");
        await Expect(plain.And(session.Page.Locator("[data-key=probes]"))).ToHaveTextAsync("3 probes, closes after 3 successes");
        await Expect(plain.And(session.Page.Locator("[data-key=slow]"))).ToHaveTextAsync("not measured");
        await Expect(plain.And(session.Page.Locator("[data-key=statistics]"))).ToHaveTextAsync("off");
    }

    [Fact]
    public async Task A_half_open_breaker_shows_its_probe_progress()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await AdminApp.StartAsync(kestrel: true, time: time);
        var breaker = app.Registry.GetOrAdd("fraud-service", new CircuitBreakerOptions { BreakDuration = TimeSpan.FromSeconds(5), HalfOpenPermits = 3, SuccessesToClose = 2 });
        breaker.FailTimes(5);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(breaker.TryAcquire(out var probe)); // one probe in flight
        Assert.Equal(BreakerState.HalfOpen, breaker.State);

        await using var session = await DashboardSession.OpenAsync(app);

        var card = session.Card("fraud-service");
        await Expect(card).ToHaveAttributeAsync("data-state", "half_open");
        await Expect(card.Locator(".probes")).ToHaveTextAsync("Probes: 0 of 2 successes to close · 1 in flight · 2 of 3 permits free · re-opens on a failed one");

        Assert.True(breaker.TryAcquire(out var second));
        time.Advance(TimeSpan.FromSeconds(1)); // the stream's next tick brings the change
        await Expect(card.Locator(".probes")).ToHaveTextAsync("Probes: 0 of 2 successes to close · 2 in flight · 1 of 3 permits free · re-opens on a failed one");
        probe.RecordSuccess();
        time.Advance(TimeSpan.FromSeconds(1));
        await Expect(card.Locator(".probes")).ToHaveTextAsync("Probes: 1 of 2 successes to close · 1 in flight · 1 of 3 permits free · re-opens on a failed one");
        second.RecordSuccess();
        await Expect(card).ToHaveAttributeAsync("data-state", "closed");
        await Expect(card.Locator(".probes")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task A_half_open_round_a_coordinator_holds_back_says_so()
    {
        await using var app = await AdminApp.StartAsync(kestrel: true);
        var breaker = app.Registry.GetOrAdd("fraud-service", new CircuitBreakerOptions { HalfOpenPermits = 3 });
        // a coordinator's round: one of the three permits granted to this replica so far
        breaker.ApplyExternal(new ExternalState { State = BreakerState.HalfOpen, ProbePermits = 1, CloseOnProbeSuccess = false });
        Assert.True(breaker.TryAcquire(out _));

        await using var session = await DashboardSession.OpenAsync(app);

        await Expect(session.Card("fraud-service").Locator(".probes")).ToHaveTextAsync(
            "Probes: 0 succeeded here (the coordinator closes it on every replica's) · 1 in flight · 0 of 3 permits free · 2 held by the coordinator · re-opens on a failed one");
    }

    [Fact]
    public async Task Breakers_configured_but_not_called_yet_are_shown_until_the_first_call_creates_them()
    {
        const string hostile = "<img src=x onerror=alert(5)>";
        await using var app = await AdminApp.StartAsync(kestrel: true, fusebox: o =>
        {
            o.Breakers["payments"] = new BreakerConfiguration { FailureThreshold = 3, BreakDuration = TimeSpan.FromSeconds(10), Critical = true };
            o.Breakers[hostile] = new BreakerConfiguration();
            o.Breakers["fraud"] = new BreakerConfiguration(); // used by the per-authority breaker fraud/host:1 below
        });
        app.Registry.GetOrAdd("fraud/fraud.internal:443");
        var configuration = app.App.Services.GetRequiredService<FuseboxConfiguration>();

        await using var session = await DashboardSession.OpenAsync(app);

        var payments = session.Card("payments");
        await Expect(payments).ToHaveAttributeAsync("data-state", "not_called");
        await Expect(payments.Locator(".badge")).ToHaveTextAsync("Not called yet");
        await Expect(payments.Locator(".since")).ToHaveTextAsync("Configured (critical); no call has created it yet");
        await Expect(payments.Locator(".config [data-key=trip]")).ToHaveTextAsync(configuration.OptionsFor("payments").TripPolicy.ToString()!);
        await Expect(payments.Locator(".config [data-key=break]")).ToHaveTextAsync("10 s");
        await Expect(payments.Locator(".controls")).ToBeHiddenAsync();
        await Expect(session.Card(hostile).Locator(".name")).ToHaveTextAsync(hostile);
        await Expect(session.Cards).ToHaveCountAsync(3); // payments, the hostile one, fraud/fraud.internal:443; not "fraud"
        await Expect(session.Cards.Last).ToHaveAttributeAsync("data-state", "not_called"); // after every called breaker

        app.Registry.GetOrAdd("payments").FailTimes(3); // the first calls create it and trip it
        await Expect(payments).ToHaveAttributeAsync("data-state", "open");
        await Expect(payments.Locator(".controls")).ToBeVisibleAsync();
        await Expect(session.Cards.First).ToHaveAttributeAsync("data-state", "open");
        await session.AssertNothingRanAsync();
    }

    [Fact]
    public async Task Cards_are_sorted_by_severity_then_error_rate_and_resorted_live()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await AdminApp.StartAsync(kestrel: true, time: time);
        var rate = new CircuitBreakerOptions { TripPolicy = TripPolicy.FailureRate(0.9, windowSize: 10, minimumCalls: 10) };
        var quiet = app.Registry.GetOrAdd("a-quiet");
        var failing = app.Registry.GetOrAdd("b-failing", rate);
        failing.FailTimes(3);
        failing.SucceedTimes(2); // 60 % failures in its window, still closed
        var slightly = app.Registry.GetOrAdd("c-slightly", rate.Clone());
        slightly.FailTimes(1);
        slightly.SucceedTimes(3); // 25 %
        app.Registry.GetOrAdd("d-open").FailTimes(5);
        var half = app.Registry.GetOrAdd("e-half", new CircuitBreakerOptions { BreakDuration = TimeSpan.FromSeconds(1) });
        half.FailTimes(5);
        app.Registry.GetOrAdd("f-isolated").Isolate();
        app.Registry.GetOrAdd("g-disabled").Disable();
        time.Advance(TimeSpan.FromSeconds(1)); // e-half's break is over: it reads half-open

        await using var session = await DashboardSession.OpenAsync(app);

        var names = session.Page.Locator("[data-testid=breaker-card] .name");
        await Expect(names).ToHaveTextAsync(["f-isolated", "d-open", "e-half", "b-failing", "c-slightly", "a-quiet", "g-disabled"]);

        quiet.Isolate("INC-9"); // a state event moves it to the top, before f-isolated by name
        await Expect(names).ToHaveTextAsync(["a-quiet", "f-isolated", "d-open", "e-half", "b-failing", "c-slightly", "g-disabled"]);
    }

    [Fact]
    public async Task Cards_are_filtered_by_name_text_and_by_state()
    {
        await using var app = await AdminApp.StartAsync(kestrel: true);
        app.Registry.GetOrAdd("fraud-eu");
        app.Registry.GetOrAdd("Fraud-US").Isolate();
        app.Registry.GetOrAdd("ledger").FailTimes(5);
        app.Registry.GetOrAdd("search");

        await using var session = await DashboardSession.OpenAsync(app);
        var visible = session.Page.Locator("[data-testid=breaker-card]:visible .name");
        await Expect(visible).ToHaveCountAsync(4);

        await session.Page.Locator("#filter-name").FillAsync("fraud");
        await Expect(visible).ToHaveTextAsync(["Fraud-US", "fraud-eu"]); // case-insensitive; isolated first
        await Expect(session.Page.Locator("#summary")).ToContainTextAsync("showing 2");

        await session.Page.Locator("#filter-state").SelectOptionAsync("closed");
        await Expect(visible).ToHaveTextAsync(["fraud-eu"]);

        await session.Page.Locator("#filter-name").FillAsync("");
        await session.Page.Locator("#filter-state").SelectOptionAsync("attention");
        await Expect(visible).ToHaveTextAsync(["Fraud-US", "ledger"]);

        await session.Page.Locator("#filter-state").SelectOptionAsync("all");
        await Expect(visible).ToHaveCountAsync(4);
        await Expect(session.Page.Locator("#summary")).ToHaveTextAsync("4 breakers — 2 closed, 1 open, 1 isolated");
    }
}
