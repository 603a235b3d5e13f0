using Microsoft.Playwright;
using Fusebox.Coordination;

namespace Fusebox.AspNetCore.Tests;

public class DashboardBrowserTests
{
    private const string Hostile = "<img src=x onerror=alert(1)>";

    private static ILocator Card(IPage page, string name) =>
        page.Locator("[data-testid=breaker-card]").Filter(new LocatorFilterOptions { Has = page.Locator(".name", new PageLocatorOptions { HasTextString = name }) });

    [Fact]
    public async Task Operator_sees_a_breaker_open_live_and_resets_it_and_hostile_names_stay_text()
    {
        await using var app = await AdminApp.StartAsync(kestrel: true);
        var fraud = app.Registry.GetOrAdd("fraud-service");
        app.Registry.GetOrAdd(Hostile).Isolate("<script>alert(2)</script>");
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 700 } });
        await context.AddCookiesAsync([new Cookie { Name = "user", Value = "alice", Url = app.BaseAddress.ToString() }]);
        var page = await context.NewPageAsync();
        var dialogs = new List<string>();
        page.Dialog += (_, dialog) =>
        {
            dialogs.Add(dialog.Message);
            _ = dialog.DismissAsync();
        };

        await page.GotoAsync(new Uri(app.BaseAddress, "/fusebox").ToString());
        var card = Card(page, "fraud-service");
        await Assertions.Expect(card).ToHaveAttributeAsync("data-state", "closed");

        fraud.FailTimes(5); // the dependency fails until the breaker opens; the page is not reloaded
        await Assertions.Expect(card).ToHaveAttributeAsync("data-state", "open");
        await Assertions.Expect(card.Locator(".badge")).ToHaveTextAsync("Open");
        await Assertions.Expect(card.Locator(".countdown")).ToContainTextAsync("half-open in");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Browser.ArtifactPath("dashboard-open.png"), FullPage = true });

        await card.Locator("button[data-action=reset]").ClickAsync();
        await page.Locator("#confirm-ok").ClickAsync(); // the confirmation step; no reason given
        await Assertions.Expect(card).ToHaveAttributeAsync("data-state", "closed");
        Assert.Equal(BreakerState.Closed, fraud.State);
        Assert.Equal("reset by alice via the admin API", fraud.Snapshot().LastReasonDescription);

        var hostile = Card(page, Hostile);
        await Assertions.Expect(hostile.Locator(".name")).ToHaveTextAsync(Hostile);
        await Assertions.Expect(hostile.Locator(".reason")).ToContainTextAsync("<script>alert(2)</script>");
        Assert.Equal(0, await page.Locator("main img").CountAsync());
        Assert.Equal(0, await page.Locator("main script").CountAsync());
        Assert.Empty(dialogs);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Browser.ArtifactPath("dashboard.png"), FullPage = true });
    }

    [Fact]
    public async Task A_shared_breaker_shows_its_coordination_and_a_local_fallback_live()
    {
        await using var app = await AdminApp.StartAsync(kestrel: true);
        var fallback = false;
        var shared = app.Registry.GetOrAdd("fraud-service");
        shared.SetCoordination(() => new CoordinationStatus
        {
            Coordinator = "redis",
            Scope = Volatile.Read(ref fallback) ? "local" : "cluster",
            LocalFallback = Volatile.Read(ref fallback),
            Detail = Volatile.Read(ref fallback) ? "Redis unavailable <b>x</b>" : "Quorum mode: cluster generation 3",
        });
        app.Registry.GetOrAdd("plain");
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync();

        await page.GotoAsync(new Uri(app.BaseAddress, "/fusebox").ToString());
        var line = Card(page, "fraud-service").Locator(".coordination");
        await Assertions.Expect(line).ToHaveTextAsync("shared via redis · cluster · Quorum mode: cluster generation 3");
        await Assertions.Expect(line).ToHaveAttributeAsync("title", "As this replica sees it: the state was adopted from the shared state");
        await Assertions.Expect(Card(page, "plain").Locator(".coordination")).ToBeHiddenAsync();

        Volatile.Write(ref fallback, true); // the periodic snapshot on the event stream brings it without a reload
        await Assertions.Expect(line).ToHaveTextAsync("shared via redis · local fallback · Redis unavailable <b>x</b>");
        await Assertions.Expect(line).ToHaveAttributeAsync("data-fallback", "true");
        await Assertions.Expect(line).ToHaveAttributeAsync("title", "As this replica sees it: the shared store is unreachable, this replica decides alone");
    }

    [Fact]
    public async Task Anonymous_visitors_see_no_control_buttons()
    {
        await using var app = await AdminApp.StartAsync(kestrel: true);
        app.Registry.GetOrAdd("fraud-service");
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync();

        await page.GotoAsync(new Uri(app.BaseAddress, "/fusebox").ToString());
        var card = Card(page, "fraud-service");
        await Assertions.Expect(card).ToHaveAttributeAsync("data-state", "closed");

        Assert.Equal(3, await card.Locator("button").CountAsync());
        await Assertions.Expect(card.Locator(".controls")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task Without_a_control_policy_even_alice_sees_no_buttons()
    {
        await using var app = await AdminApp.StartAsync(kestrel: true, controlPolicy: null);
        app.Registry.GetOrAdd("fraud-service");
        await using var session = await Browser.SignedInPageAsync(app.BaseAddress, "alice");
        var page = session.Page;

        await page.GotoAsync(new Uri(app.BaseAddress, "/fusebox").ToString());

        await Assertions.Expect(Card(page, "fraud-service").Locator(".controls")).ToBeHiddenAsync();
    }
}
