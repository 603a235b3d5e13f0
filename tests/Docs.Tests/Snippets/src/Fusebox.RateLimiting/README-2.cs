using Docs.Tests.Scaffold;
using Fusebox;
using Fusebox.Http;
using Fusebox.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace Docs.Tests.Snippets.Packages;

/// <summary>src/Fusebox.RateLimiting/README.md: the limiter as the admission stage of a caller and of the HTTP handler.</summary>
public sealed class RateLimitingAdmission : WebAppScaffold
{
    public ResilientCaller Build(CircuitBreaker breaker)
    {
        // snippet:start
        var limiter = new AdaptiveConcurrencyLimiter(new AdaptiveConcurrencyOptions()); // one per dependency, shared
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions { Admission = limiter.ToAdmission() });

        builder.Services.AddHttpClient("fraud").AddFuseboxHandler(o => o.Admission = limiter.ToAdmission());
        // snippet:end
        return caller;
    }
}
