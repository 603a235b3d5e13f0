using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace Fusebox.AspNetCore.Tests;

/// <summary>
/// The attack of issue 15, repeated in headless Chromium: the operator (alice, cookie <c>user=alice</c> with the
/// browser's default SameSite=Lax) visits a page on another origin of the same site (127.0.0.1, another port), which
/// posts to the control endpoints with an auto-submitted form and with <c>fetch(..., {mode: "no-cors", credentials:
/// "include"})</c>. The cookie travels with both (same-site), so only the endpoints' cross-site defence can stop them.
/// </summary>
public class CrossSiteAttackBrowserTests
{
    private static string AttackPage(Uri admin) => $$"""
        <!DOCTYPE html>
        <html><body>
        <iframe name="sink"></iframe>
        <form id="attack" method="POST" target="sink" action="{{new Uri(admin, "/fusebox/api/breakers/victim-form/isolate")}}">
          <input type="hidden" name="reason" value="pwned">
        </form>
        <script>
          document.getElementById("attack").submit();
          fetch("{{new Uri(admin, "/fusebox/api/breakers/victim-fetch/isolate")}}", { method: "POST", mode: "no-cors", credentials: "include", body: "x" });
        </script>
        </body></html>
        """;

    private static async Task<WebApplication> StartAttackerAsync(Uri admin)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var attacker = builder.Build();
        attacker.MapGet("/", () => Results.Content(AttackPage(admin), "text/html; charset=utf-8"));
        await attacker.StartAsync();
        return attacker;
    }

    [Fact]
    public async Task A_same_site_page_cannot_isolate_a_breaker_with_a_form_or_a_no_cors_fetch()
    {
        await using var app = await AdminApp.StartAsync(kestrel: true);
        var byForm = app.Registry.GetOrAdd("victim-form");
        var byFetch = app.Registry.GetOrAdd("victim-fetch");
        await using var attacker = await StartAttackerAsync(app.BaseAddress);
        var attackerAddress = new Uri(attacker.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        Assert.NotEqual(app.BaseAddress.Port, attackerAddress.Port); // another origin of the same site (127.0.0.1)
        await using var session = await Browser.SignedInPageAsync(app.BaseAddress, "alice"); // the operator's default-SameSite cookie
        var page = session.Page;

        var formResponse = page.WaitForResponseAsync(r => r.Url.EndsWith("/victim-form/isolate", StringComparison.Ordinal));
        var fetchResponse = page.WaitForResponseAsync(r => r.Url.EndsWith("/victim-fetch/isolate", StringComparison.Ordinal));
        await page.GotoAsync(attackerAddress.ToString());
        var form = await formResponse;
        var fetched = await fetchResponse;

        // The form carried the operator's cookie (the no-cors fetch did too: on the old code both isolated their breaker).
        Assert.Equal("user=alice", (await form.Request.AllHeadersAsync())["cookie"]);
        Assert.Equal(BreakerState.Closed, byForm.State);
        Assert.Equal(BreakerState.Closed, byFetch.State);
        Assert.Equal(403, form.Status);
        Assert.Equal(403, fetched.Status);
        // Refusals are logged at most once per interval and kind: the first names the operator whose cookie was used.
        var refusal = Assert.Single(app.Logs.GetSnapshot(), r => r.Id.Name == "RequestRefused");
        Assert.Contains("cross-site", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("alice", refusal.Message, StringComparison.Ordinal);
    }
}
