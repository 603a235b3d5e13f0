using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;

namespace Checkout.Admin;

/// <summary>
/// <b>DEMO ONLY — never copy this into a real service.</b> Lets whoever runs the sample try the dashboard's
/// isolate/disable/reset buttons: <c>GET /demo-login</c> signs the browser in, with no password, as one fixed
/// operator (<see cref="OperatorName"/>), and the dashboard's <see cref="Fusebox.AspNetCore.FuseboxEndpointOptions.ControlPolicy"/>
/// requires that user. The login exists only in the interactive mode (<c>--serve</c>), the host listens on 127.0.0.1
/// only, and the endpoint also refuses any caller that is not on loopback. A real service signs its operators in
/// through its identity provider and names a policy that requires their role.
/// </summary>
public static class DemoOperatorLogin
{
    /// <summary>The cookie authentication scheme the demo operator signs in with.</summary>
    public const string Scheme = "checkout-demo-cookie";

    /// <summary>The authorization policy the dashboard's control endpoints require: the demo operator.</summary>
    public const string Policy = "checkout-demo-operator";

    /// <summary>The one user the demo login signs in.</summary>
    public const string OperatorName = "demo-operator";

    /// <summary>Where the demo login is mapped (with <c>--serve</c> only).</summary>
    public const string Path = "/demo-login";

    /// <summary>Registers the cookie scheme and the policy. Without <see cref="Map"/> nobody can satisfy the policy, so control stays refused.</summary>
    public static void AddServices(IServiceCollection services)
    {
        // Keys in memory: a demo's cookies die with the process and nothing is written under the user's profile.
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.AddAuthentication(Scheme).AddCookie(Scheme, o =>
        {
            o.Cookie.Name = "checkout-demo-operator";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.ExpireTimeSpan = TimeSpan.FromHours(1);
            // An API answers 401/403; the cookie scheme's default would redirect the dashboard's fetch to a login page.
            o.Events.OnRedirectToLogin = c => SetStatus(c.Response, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = c => SetStatus(c.Response, StatusCodes.Status403Forbidden);
        });
        services.AddAuthorization(o => o.AddPolicy(Policy, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser().RequireUserName(OperatorName)));
    }

    /// <summary>Maps <c>GET /demo-login</c>: signs a loopback caller in as the demo operator and sends it to the dashboard.</summary>
    public static void Map(WebApplication app, string dashboardPath) =>
        app.MapGet(Path, async (HttpContext context) =>
        {
            if (context.Connection.RemoteIpAddress is not { } caller || !IPAddress.IsLoopback(caller))
            {
                return Results.NotFound();
            }

            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, OperatorName)], Scheme);
            await context.SignInAsync(Scheme, new ClaimsPrincipal(identity)).ConfigureAwait(false);
            return Results.Redirect(dashboardPath);
        });

    private static Task SetStatus(HttpResponse response, int status)
    {
        response.StatusCode = status;
        return Task.CompletedTask;
    }
}
