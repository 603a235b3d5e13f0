using Microsoft.Extensions.Time.Testing;
using static Microsoft.Playwright.Assertions;

namespace Fusebox.AspNetCore.Tests;

/// <summary>The dashboard shows each breaker group with its members side by side, its open slots against the cap and
/// a panic marker, live from the event stream; a registry without groups shows no group section.</summary>
public class DashboardGroupBrowserTests
{
    [Fact]
    public async Task A_group_shows_its_members_with_the_cap_and_the_panic_marker()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await AdminApp.StartAsync(kestrel: true, time: time);
        var group = app.Registry.GroupWithAnOutlierAndARefusedTrip();

        await using var session = await DashboardSession.OpenAsync(app);

        var panel = session.Page.Locator("[data-testid=breaker-group]");
        await Expect(panel).ToHaveCountAsync(1);
        await Expect(panel.Locator(".group-name")).ToHaveTextAsync("inventory");
        await Expect(panel.Locator(".group-cap")).ToHaveTextAsync("open slots 1 / 1");
        await Expect(panel.Locator(".group-cap")).ToHaveAttributeAsync("data-full", "true");
        await Expect(panel.Locator(".panic-marker")).ToBeHiddenAsync();
        await Expect(panel.Locator(".group-beyond")).ToBeHiddenAsync();
        await Expect(panel.Locator(".group-health")).ToHaveTextAsync("4 of 6 healthy");
        await Expect(panel.Locator(".member")).ToHaveCountAsync(6);
        var a = panel.Locator(".member[data-key=a]");
        await Expect(a).ToHaveAttributeAsync("data-state", "open");
        await Expect(a.Locator(".member-marks")).ToHaveTextAsync("open · ejected");
        var b = panel.Locator(".member[data-key=b]");
        await Expect(b).ToHaveAttributeAsync("data-healthy", "false");
        await Expect(b.Locator(".member-marks")).ToHaveTextAsync("closed · would have opened 1 · held closed 30 s");
        await Expect(panel.Locator(".member[data-key=c] .member-marks")).ToHaveTextAsync("closed");
        // the members are breakers of the registry too: each keeps its own card
        await Expect(session.Card("inventory/a")).ToHaveAttributeAsync("data-state", "open");

        group.GetOrAdd("f").Isolate("INC-7"); // takes no slot: the panel says the member is out beside the cap
        group.FailUntilPanic();
        time.Advance(TimeSpan.FromSeconds(1)); // the stream's next tick brings the change
        await Expect(panel.Locator(".group-beyond")).ToHaveTextAsync("+ 1 open outside the cap");
        await Expect(panel.Locator(".member[data-key=f]")).ToHaveAttributeAsync("data-state", "isolated");
        await Expect(panel).ToHaveAttributeAsync("data-panic", "true");
        await Expect(panel.Locator(".panic-marker")).ToBeVisibleAsync();
        await Expect(panel.Locator(".panic-marker")).ToHaveTextAsync("panic");
        await Expect(panel.Locator(".group-health")).ToHaveTextAsync("1 of 6 healthy");
        await Expect(panel.Locator(".member[data-key=d] .member-marks")).ToHaveTextAsync("closed · would have opened 1 · held closed 29 s");
        Assert.Empty(session.PageErrors);
    }

    [Fact]
    public async Task Without_groups_there_is_no_group_section_and_a_disposed_group_leaves_it()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await AdminApp.StartAsync(kestrel: true, time: time);
        app.Registry.GetOrAdd("plain").SucceedTimes(1);
        var group = new BreakerGroup("search", app.Registry, new BreakerGroupOptions { EvaluationInterval = TimeSpan.FromHours(1) });
        group.GetOrAdd("x");

        await using var session = await DashboardSession.OpenAsync(app);
        await Expect(session.Page.Locator("#groups")).ToBeVisibleAsync();
        await Expect(session.Page.Locator(".group-evaluated")).ToHaveTextAsync("not evaluated yet");

        group.Dispose();
        time.Advance(TimeSpan.FromSeconds(1));
        await Expect(session.Page.Locator("#groups")).ToBeHiddenAsync();
        await Expect(session.Card("plain")).ToHaveAttributeAsync("data-state", "closed");
    }
}
