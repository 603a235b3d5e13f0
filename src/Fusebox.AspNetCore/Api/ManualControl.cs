using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fusebox.AspNetCore;

/// <summary>
/// <c>POST /api/breakers/{name}/isolate|disable|reset</c>. In this order: refuse a request that may come from another
/// origin (<see cref="CrossSiteRequestGuard"/>), refuse everyone without a control policy, authorize, read the
/// optional reason, find exactly the named breaker, apply, and write the audit line.
/// </summary>
internal sealed class ManualControl(CircuitBreakerRegistry registry, PolicyGuard? policy, ILogger logger, RefusalLog refusals)
{
    public static readonly string[] Actions = ["isolate", "disable", "reset"];

    public async Task<IResult> ApplyAsync(string action, string routeName, HttpContext context)
    {
        if (CrossSiteRequestGuard.Refusal(context.Request) is { } crossSite)
        {
            refusals.Refused(RefusalKind.CrossSite, context, crossSite);
            return Problems.Forbidden("Cross-site request refused",
                $"Control requests must come from the dashboard's own origin and carry the {FuseboxEndpointOptions.ControlRequestHeader} header.");
        }

        if (policy is null)
        {
            refusals.Refused(RefusalKind.ControlDisabled, context, "FuseboxEndpointOptions.ControlPolicy is not set");
            return Problems.Forbidden("Manual control is disabled",
                "Set FuseboxEndpointOptions.ControlPolicy to an authorization policy to allow isolate, disable and reset.");
        }

        if (await policy.CheckAsync(context).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        var (reason, invalid) = await ControlRequest.ReadAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        if (invalid is not null)
        {
            return invalid;
        }

        string name = RawBreakerName.Read(context, routeName, segmentsFromEnd: 1);
        if (!registry.TryGet(name, out var breaker))
        {
            return Problems.NotFound(name);
        }

        string user = FuseboxAdminLog.UserOf(context);
        string description = $"{action} by {user} via the admin API" + (reason is null ? "" : ": " + reason);
        switch (action)
        {
            case "isolate": breaker.Isolate(description); break;
            case "disable": breaker.Disable(description); break;
            default: breaker.Reset(description); break;
        }

        FuseboxAdminLog.ManualControl(logger, action, breaker.Name, user, reason is null ? "no reason given" : "reason: " + reason);
        return Results.Json(BreakerView.From(breaker), FuseboxJsonContext.Default.BreakerView);
    }
}
