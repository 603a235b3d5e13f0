using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Fusebox.AspNetCore;

/// <summary>
/// Recovers a breaker name sent as one URL-encoded path segment, decoded exactly once. The server has already
/// decoded the path once before routing, except <c>%2F</c>, which it keeps so that an encoded slash cannot split a
/// segment; the route value is therefore ambiguous (<c>x%2Fy</c> is the name <c>x/y</c> sent as <c>x%2Fy</c>, or
/// the name <c>x%2Fy</c> sent as <c>x%252Fy</c>), and decoding it again turns <c>a%2541</c> (the name <c>a%41</c>)
/// into <c>aA</c>. So the name is read from the raw request target and decoded once.
/// </summary>
internal static class RawBreakerName
{
    /// <summary>The name in the segment <paramref name="segmentsFromEnd"/> before the last of the raw path.</summary>
    /// <param name="context">The request.</param>
    /// <param name="routeValue">The route value the server decoded, used to check the raw segment and as a fallback.</param>
    /// <param name="segmentsFromEnd">0 when the name is the last segment, 1 when an action follows it.</param>
    public static string Read(HttpContext context, string routeValue, int segmentsFromEnd)
    {
        string? raw = RawSegment(context.Features.Get<IHttpRequestFeature>()?.RawTarget, segmentsFromEnd);
        // The raw segment is the one the route matched if the server's decoding of it gives the route value; it may
        // not be when the path had dot segments or a trailing slash, which the server normalizes before routing.
        if (raw is not null && string.Equals(DecodeLikeTheServer(raw), routeValue, StringComparison.Ordinal))
        {
            return Uri.UnescapeDataString(raw);
        }

        // No usable raw target (a test host, a normalized path): the route value is decoded but for %2F.
        return routeValue.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
    }

    private static string? RawSegment(string? target, int segmentsFromEnd)
    {
        if (string.IsNullOrEmpty(target))
        {
            return null;
        }

        int query = target.IndexOf('?', StringComparison.Ordinal);
        ReadOnlySpan<char> path = query < 0 ? target : target.AsSpan(0, query);
        if (!path.StartsWith("/"))
        {
            // absolute-form (http://host/path), which a client may send to a server it takes for a proxy
            int authority = path.IndexOf("://");
            int slash = authority < 0 ? -1 : path[(authority + 3)..].IndexOf('/');
            if (slash < 0)
            {
                return null;
            }

            path = path[(authority + 3 + slash)..];
        }

        for (int i = 0; i < segmentsFromEnd; i++)
        {
            int cut = path.LastIndexOf('/');
            if (cut <= 0)
            {
                return null;
            }

            path = path[..cut];
        }

        return path[(path.LastIndexOf('/') + 1)..].ToString();
    }

    /// <summary>What the server's own path decoding makes of a raw segment: everything decoded but <c>%2F</c>.</summary>
    private static string DecodeLikeTheServer(string raw) =>
        Uri.UnescapeDataString(raw.Replace("%2F", "%252F", StringComparison.OrdinalIgnoreCase));
}
