using Microsoft.AspNetCore.Http;

namespace Fusebox.AspNetCore;

/// <summary>
/// Refuses control requests that a page of another origin could have made with the operator's cookies (CSRF).
/// Stateless, two checks, both required:
/// <list type="number">
/// <item>The request carries <see cref="FuseboxEndpointOptions.ControlRequestHeader"/>. An HTML form and a
/// <c>fetch(..., {mode: "no-cors"})</c> cannot send a header outside the CORS safelist, and a cross-origin
/// <c>fetch</c> that sets one needs a preflight that these endpoints never grant.</item>
/// <item>When the browser says where the request comes from, it is this origin: <c>Sec-Fetch-Site</c> is
/// <c>same-origin</c> (or <c>none</c>: typed by the user); without that header (older browsers), an <c>Origin</c>
/// header must name this host. <c>same-site</c> is refused: another port or subdomain of the same site is
/// another origin, and SameSite cookies do not stop it.</item>
/// </list>
/// Clients that are not browsers (curl, scripts) send neither browser header and pass with the first check alone.
/// This is the scheme of Go's <c>net/http.CrossOriginProtection</c> plus a custom-header check; antiforgery tokens
/// were not chosen because they need per-user token state and a token round-trip for every script, while the
/// applications this package serves may authenticate with bearer tokens or client certificates as well as cookies.
/// </summary>
internal static class CrossSiteRequestGuard
{
    /// <summary>Why the request is refused, or null when it may proceed.</summary>
    public static string? Refusal(HttpRequest request)
    {
        if (string.IsNullOrEmpty(request.Headers[FuseboxEndpointOptions.ControlRequestHeader]))
        {
            return $"the {FuseboxEndpointOptions.ControlRequestHeader} header is missing (a cross-site form or no-cors fetch cannot send it)";
        }

        string? fetchSite = request.Headers["Sec-Fetch-Site"];
        if (fetchSite is not null)
        {
            return fetchSite is "same-origin" or "none" ? null : $"Sec-Fetch-Site is '{RefusalLog.Trim(fetchSite)}', not 'same-origin'";
        }

        string? origin = request.Headers.Origin;
        if (origin is null)
        {
            return null;
        }

        return Uri.TryCreate(origin, UriKind.Absolute, out var uri) && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
            ? null
            : $"Origin '{RefusalLog.Trim(origin)}' is not this host '{RefusalLog.Trim(request.Host.Value ?? "")}'";
    }
}
