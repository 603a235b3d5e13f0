using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Fusebox.AspNetCore.Tests;

/// <summary>Breakers configured but not called yet, when a reload of the application's appsettings.json (through the
/// file provider) adds or removes one: the API and an open dashboard follow it.</summary>
public class ConfiguredReloadTests
{
    private const string PaymentsOnly = """{ "Breakers": { "payments": { "FailureThreshold": 3 } } }""";
    private const string LedgerOnly = """{ "Breakers": { "ledger": { "FailureThreshold": 4, "Critical": true } } }""";

    [Fact]
    public async Task The_configured_list_follows_a_reload_that_adds_and_removes_an_entry()
    {
        using var settings = SettingsFile.Create(PaymentsOnly);
        await using var app = await AdminApp.StartAsync(kestrel: true, contentRoot: settings.Directory);
        Assert.Equal(["payments"], await ConfiguredNamesAsync(app));

        await settings.RewriteAsync(app, LedgerOnly, o => o.Breakers.ContainsKey("ledger"));

        Assert.Equal(["ledger"], await ConfiguredNamesAsync(app));
    }

    [Fact]
    public async Task An_open_dashboard_shows_an_entry_a_reload_adds_and_drops_one_it_removes()
    {
        using var settings = SettingsFile.Create(PaymentsOnly);
        await using var app = await AdminApp.StartAsync(kestrel: true, contentRoot: settings.Directory);
        app.Registry.GetOrAdd("fraud-service");
        await using var session = await DashboardSession.OpenAsync(app);
        await Expect(session.Card("payments")).ToHaveAttributeAsync("data-state", "not_called");

        await settings.RewriteAsync(app, LedgerOnly, o => o.Breakers.ContainsKey("ledger"));

        // no reload of the page: the event stream tells it
        await Expect(session.Card("ledger")).ToHaveAttributeAsync("data-state", "not_called");
        await Expect(session.Card("ledger").Locator(".since")).ToHaveTextAsync("Configured (critical); no call has created it yet");
        await Expect(session.Card("payments")).ToHaveCountAsync(0);
        await Expect(session.Card("fraud-service")).ToHaveAttributeAsync("data-state", "closed"); // a called breaker stays
    }

    private static async Task<string[]> ConfiguredNamesAsync(AdminApp app)
    {
        var list = await app.Client.GetFromJsonAsync<JsonElement>("/fusebox/api/configured");
        return list.EnumerateArray().Select(e => e.GetProperty("name").GetString()!).ToArray();
    }
}
