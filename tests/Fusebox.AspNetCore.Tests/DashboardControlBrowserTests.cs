using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Fusebox.AspNetCore.Tests;

/// <summary>Control from the dashboard: a confirmation step with an optional reason that reaches the audit log and the
/// snapshot, and a visible error whenever the request fails (403, 404, 429, network).</summary>
public class DashboardControlBrowserTests
{
    [Fact]
    public async Task A_control_is_confirmed_first_and_its_reason_reaches_the_snapshot_and_the_audit_log()
    {
        await using var app = await AdminApp.StartAsync(kestrel: true);
        var breaker = app.Registry.GetOrAdd("fraud-service");
        await using var session = await DashboardSession.OpenAsync(app);
        var card = session.Card("fraud-service");
        var dialog = session.Page.Locator("dialog#confirm");

        await card.Locator("button[data-action=disable]").ClickAsync();
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog.Locator("#confirm-title")).ToHaveTextAsync("Disable fraud-service?");
        await dialog.Locator("#confirm-cancel").ClickAsync(); // cancelled: nothing is sent
        await Expect(dialog).ToBeHiddenAsync();
        Assert.Equal(BreakerState.Closed, breaker.State);
        Assert.DoesNotContain(app.Logs.GetSnapshot(), r => r.Id.Name == "ManualControl");

        await session.ControlAsync("fraud-service", "isolate", "INC-42 fraud provider down");

        await Expect(card).ToHaveAttributeAsync("data-state", "isolated");
        Assert.Equal(BreakerState.Isolated, breaker.State);
        Assert.Equal("isolate by alice via the admin API: INC-42 fraud provider down", breaker.Snapshot().LastReasonDescription);
        var audit = Assert.Single(app.Logs.GetSnapshot(), r => r.Id.Name == "ManualControl");
        Assert.Equal("Manual isolate of circuit breaker 'fraud-service' by alice (reason: INC-42 fraud provider down)", audit.Message);
        await Expect(card.Locator(".reason")).ToHaveTextAsync("Last change: ManualIsolate: isolate by alice via the admin API: INC-42 fraud provider down");
        await Expect(card.Locator(".control-error")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task A_control_for_a_breaker_that_is_gone_shows_the_404()
    {
        await using var app = await AdminApp.StartAsync(kestrel: true);
        app.Registry.GetOrAdd("fraud-service");
        await using var session = await DashboardSession.OpenAsync(app);
        await Expect(session.Card("fraud-service")).ToHaveAttributeAsync("data-state", "closed");
        Assert.True(app.Registry.Remove("fraud-service"));

        await session.ControlAsync("fraud-service", "reset");

        await Expect(session.Card("fraud-service").Locator(".control-error"))
            .ToHaveTextAsync("Reset failed: 404 Not Found — Unknown circuit breaker: No circuit breaker is named 'fraud-service'.");
    }

    [Fact]
    public async Task A_control_refused_by_the_policy_shows_the_403()
    {
        await using var app = await AdminApp.StartAsync(kestrel: true);
        var breaker = app.Registry.GetOrAdd("fraud-service");
        await using var session = await DashboardSession.OpenAsync(app);
        await Expect(session.Card("fraud-service").Locator(".controls")).ToBeVisibleAsync();
        // alice's session is replaced by bob's, who is not in the ops role: the page still shows the buttons
        await session.Context.AddCookiesAsync([new Cookie { Name = "user", Value = "bob", Url = app.BaseAddress.ToString() }]);

        await session.ControlAsync("fraud-service", "isolate", "INC-1");

        await Expect(session.Card("fraud-service").Locator(".control-error"))
            .ToHaveTextAsync("Isolate failed: 403 Forbidden — You are not allowed to do this: The current user does not satisfy the authorization policy of this endpoint.");
        Assert.Equal(BreakerState.Closed, breaker.State);
    }

    [Fact]
    public async Task A_control_answered_429_shows_it()
    {
        // e.g. the application's rate limiter on the admin group
        await using var app = await AdminApp.StartAsync(kestrel: true, map: holder => holder.Group.AddEndpointFilter(async (context, next) =>
            HttpMethods.IsPost(context.HttpContext.Request.Method)
                ? Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Slow down", detail: "At most 1 control per minute.")
                : await next(context)));
        app.Registry.GetOrAdd("fraud-service");
        await using var session = await DashboardSession.OpenAsync(app);

        await session.ControlAsync("fraud-service", "disable");

        await Expect(session.Card("fraud-service").Locator(".control-error"))
            .ToHaveTextAsync("Disable failed: 429 Too Many Requests — Slow down: At most 1 control per minute.");
    }

    [Fact]
    public async Task A_control_that_cannot_reach_the_server_shows_a_network_error_and_the_next_success_clears_it()
    {
        await using var app = await AdminApp.StartAsync(kestrel: true);
        var breaker = app.Registry.GetOrAdd("fraud-service");
        await using var session = await DashboardSession.OpenAsync(app);
        await session.Page.RouteAsync("**/isolate", route => route.AbortAsync("connectionrefused"));

        await session.ControlAsync("fraud-service", "isolate");

        var error = session.Card("fraud-service").Locator(".control-error");
        await Expect(error).ToHaveTextAsync("Isolate failed: network error: the server could not be reached");
        await Expect(error).ToBeVisibleAsync();
        Assert.Equal(BreakerState.Closed, breaker.State);

        await session.ControlAsync("fraud-service", "disable");
        await Expect(session.Card("fraud-service")).ToHaveAttributeAsync("data-state", "disabled");
        await Expect(error).ToBeHiddenAsync();
    }
}
