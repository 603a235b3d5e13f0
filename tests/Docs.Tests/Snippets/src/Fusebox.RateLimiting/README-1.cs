// snippet:start
using System.Net;
using Fusebox.RateLimiting;
// snippet:end

namespace Docs.Tests.Snippets.Packages;

/// <summary>src/Fusebox.RateLimiting/README.md: the package README of Fusebox.RateLimiting.</summary>
public sealed class RateLimitingPackage
{
    public Func<HttpClient, string, Task<string?>> Build()
    {
        // snippet:start
        var limiter = new AdaptiveConcurrencyLimiter(new AdaptiveConcurrencyOptions()); // Gradient2, 20 to 200 at once

        async Task<string?> CallAsync(HttpClient client, string uri)
        {
            using var lease = limiter.TryAcquire();
            if (!lease.IsAcquired)
            {
                return null;                             // shed at once: the dependency is at its limit
            }

            using var response = await client.GetAsync(uri);
            if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
            {
                lease.MarkDropped();                     // an overload answer: AIMD backs off
            }

            return await response.Content.ReadAsStringAsync();
        }
        // snippet:end
        return CallAsync;
    }
}
