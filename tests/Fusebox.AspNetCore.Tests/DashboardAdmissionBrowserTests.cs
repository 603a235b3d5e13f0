using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using static Microsoft.Playwright.Assertions;

namespace Fusebox.AspNetCore.Tests;

/// <summary>The dashboard marks a shadow breaker and says what it would have rejected, and shows throttling once it
/// throttles; a plain breaker shows neither.</summary>
public class DashboardAdmissionBrowserTests
{
    [Fact]
    public async Task A_shadow_breaker_has_a_badge_and_counts_what_it_would_have_rejected()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await AdminApp.StartAsync(kestrel: true, time: time);
        var breaker = app.Registry.OpenShadowBreaker("fraud-service", wouldBeRejected: 1);
        app.Registry.GetOrAdd("plain").SucceedTimes(1);

        await using var session = await DashboardSession.OpenAsync(app);

        var card = session.Card("fraud-service");
        await Expect(card).ToHaveAttributeAsync("data-state", "open"); // the state it would be in
        await Expect(card.Locator(".shadow-badge")).ToBeVisibleAsync();
        await Expect(card.Locator(".shadow-badge")).ToHaveTextAsync("shadow");
        await Expect(card.Locator(".shadow-rejected")).ToHaveTextAsync("would have rejected 1 call");

        breaker.SucceedTimes(1233);
        time.Advance(TimeSpan.FromSeconds(1)); // the stream's next tick brings the change
        await Expect(card.Locator(".shadow-rejected")).ToHaveTextAsync("would have rejected 1,234 calls");

        var plain = session.Card("plain");
        await Expect(plain.Locator(".shadow-badge")).ToBeHiddenAsync();
        await Expect(plain.Locator(".shadow-rejected")).ToBeHiddenAsync();
        await Expect(plain.Locator(".throttling")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task A_throttling_breaker_shows_its_probability_and_throttled_count_only_once_it_throttles()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await AdminApp.StartAsync(kestrel: true, time: time);
        var s = app.Registry.ThrottlingBreaker("fraud-service").Snapshot();
        var quiet = app.Registry.GetOrAdd("ledger", new CircuitBreakerOptions { AdaptiveThrottling = new AdaptiveThrottlingOptions() });
        quiet.SucceedTimes(10); // configured, but p = 0 and nothing throttled: no line
        Assert.Equal((0.0, 0L), (quiet.Snapshot().ThrottleProbability, quiet.Snapshot().ThrottledCalls));

        await using var session = await DashboardSession.OpenAsync(app);

        await Expect(session.Card("fraud-service").Locator(".throttling")).ToHaveTextAsync(string.Create(CultureInfo.InvariantCulture,
            $"throttling p = {s.ThrottleProbability:0.00} · {s.ThrottledCalls} throttled"));
        await Expect(session.Card("fraud-service").Locator(".shadow-badge")).ToBeHiddenAsync();
        await Expect(session.Card("ledger")).ToHaveAttributeAsync("data-state", "closed");
        await Expect(session.Card("ledger").Locator(".throttling")).ToBeHiddenAsync();
    }
}
