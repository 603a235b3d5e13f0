using Microsoft.AspNetCore.Http;

namespace Fusebox.AspNetCore;

/// <summary>
/// Headers on every response of the Fusebox endpoints: no MIME sniffing (a JSON body that echoes a breaker name
/// must never be run as HTML or script) and no framing (no clickjacking of the control buttons). The dashboard
/// replaces the API's Content-Security-Policy with its own, which keeps <c>frame-ancestors 'none'</c>.
/// </summary>
internal static class SecurityHeaders
{
    /// <summary>The API's policy: its responses are data, never a document that loads anything.</summary>
    public const string ApiContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";

    /// <summary>The dashboard's policy: its own inline script and style, requests to its own origin only.</summary>
    public const string DashboardContentSecurityPolicy =
        "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    public static void Apply(HttpResponse response)
    {
        var headers = response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY"; // frame-ancestors for browsers that predate it
        headers.ContentSecurityPolicy = ApiContentSecurityPolicy;
        headers["Referrer-Policy"] = "no-referrer";
    }
}
