using Microsoft.Playwright;

namespace Fusebox.AspNetCore.Tests;

/// <summary>
/// The dashboard of an <see cref="AdminApp"/> open in headless Chromium at 1280×800, in the UTC time zone (so that
/// the page's clock times can be compared with the breaker's), optionally signed in. Collects every JavaScript
/// dialog (a hostile name that ran would open one) and page error.
/// </summary>
internal sealed class DashboardSession : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private DashboardSession(IPlaywright playwright, IBrowser browser, IBrowserContext context, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Context = context;
        Page = page;
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    public List<string> Dialogs { get; } = [];

    public List<string> PageErrors { get; } = [];

    public static async Task<DashboardSession> OpenAsync(AdminApp app, string? user = "alice")
    {
        var (playwright, browser) = await Browser.LaunchAsync();
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            TimezoneId = "UTC",
            Locale = "en-US",
        });
        if (user is not null)
        {
            await context.AddCookiesAsync([new Cookie { Name = "user", Value = user, Url = app.BaseAddress.ToString() }]);
        }

        var session = new DashboardSession(playwright, browser, context, await context.NewPageAsync());
        session.Page.Dialog += (_, dialog) =>
        {
            session.Dialogs.Add(dialog.Message);
            _ = dialog.DismissAsync();
        };
        session.Page.PageError += (_, error) => session.PageErrors.Add(error);
        await session.Page.GotoAsync(new Uri(app.BaseAddress, "/fusebox").ToString());
        return session;
    }

    public ILocator Cards => Page.Locator("[data-testid=breaker-card]");

    public ILocator Card(string name) =>
        Cards.Filter(new LocatorFilterOptions { Has = Page.Locator(".name", new PageLocatorOptions { HasTextString = name }) });

    /// <summary>The text of one number of a card's rolling-statistics row (req/s, errors %, p50, ...).</summary>
    public ILocator Number(string name, string key) => Card(name).Locator($".numbers [data-key={key}] dd");

    /// <summary>Clicks a control button and answers the confirmation dialog with <paramref name="reason"/>.</summary>
    public async Task ControlAsync(string name, string action, string? reason = null)
    {
        await Card(name).Locator($"button[data-action={action}]").ClickAsync();
        var dialog = Page.Locator("dialog#confirm");
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        if (reason is not null)
        {
            await dialog.Locator("#confirm-reason").FillAsync(reason);
        }

        await dialog.Locator("#confirm-ok").ClickAsync();
        await Assertions.Expect(dialog).ToBeHiddenAsync();
    }

    /// <summary>Asserts no markup from data became elements and nothing ran.</summary>
    public async Task AssertNothingRanAsync()
    {
        Assert.Equal(0, await Page.Locator("main img").CountAsync());
        Assert.Equal(0, await Page.Locator("main script").CountAsync());
        Assert.Empty(Dialogs);
        Assert.Empty(PageErrors);
    }

    /// <summary>What the page shows for a latency in milliseconds (the page's own format).</summary>
    public static string Latency(double ms) =>
        ms < 10 ? ms.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " ms"
        : ms < 1000 ? Math.Round(ms, MidpointRounding.AwayFromZero).ToString(System.Globalization.CultureInfo.InvariantCulture) + " ms"
        : (ms / 1000).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) + " s";

    /// <summary>What the page shows for a clock time in the UTC time zone: the time, with the date when not today.</summary>
    public static string Clock(DateTimeOffset at) =>
        at.UtcDateTime.Date == DateTime.UtcNow.Date ? at.UtcDateTime.ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)
        : at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
