using Microsoft.Playwright;

namespace Fusebox.AspNetCore.Tests;

/// <summary>
/// Debian's headless Chromium driven by Playwright (Playwright's own browser download does not work here). In CI
/// (CI=true) a missing Chromium fails the test; elsewhere the test is skipped with the reason.
/// </summary>
internal static class Browser
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            string reason = $"{ChromiumPath} is missing; install it with 'apt-get install -y chromium'.";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail(reason);
            }

            Assert.Skip(reason);
        }

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Root in a sandbox-less container, and no background traffic: this machine has no network but loopback.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        return (playwright, browser);
    }

    /// <summary>A page of a fresh browser context in which <paramref name="user"/> is signed in to the app at
    /// <paramref name="app"/>: the test handler's cookie <c>user</c>, with the browser's default SameSite (Lax).</summary>
    public static async Task<SignedInPage> SignedInPageAsync(Uri app, string user)
    {
        var (playwright, browser) = await LaunchAsync();
        var context = await browser.NewContextAsync();
        await context.AddCookiesAsync([new Cookie { Name = "user", Value = user, Url = app.ToString() }]);
        return new SignedInPage(playwright, browser, await context.NewPageAsync());
    }

    public static string ArtifactPath(string file)
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, file);
    }
}

/// <summary>A page and the browser it runs in; disposing closes the browser.</summary>
internal sealed record SignedInPage(IPlaywright Playwright, IBrowser Browser, IPage Page) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
    }
}
