using Docs.Tests.Scaffold;
using Fusebox;
using Fusebox.Http;
using Fusebox.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Docs.Tests.Snippets.Concurrency;

/// <summary>docs/concurrency.md: the adaptive limiter as the admission stage of a caller and of the HTTP handler.</summary>
public sealed class LimiterInCaller : CheckoutScaffold
{
    private readonly WebApplicationBuilder builder = WebApplication.CreateBuilder();

    public async Task RunAsync()
    {
        // snippet:start
        var limiter = new AdaptiveConcurrencyLimiter(new AdaptiveConcurrencyOptions()); // one per dependency
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions
        {
            Admission = limiter.ToAdmission(),
            Retry = new RetryOptions { MaxAttempts = 3 },
        });

        try
        {
            var result = await caller.ExecuteAsync(static (s, ct) => s.fraud.CheckAsync(s.tx, ct), (fraud, tx), cancellationToken: ct);
        }
        catch (AdmissionRejectedException)           // at the limit: not sent, not a breaker failure
        {
            FlagForManualReview(tx);
        }

        builder.Services.AddHttpClient("fraud").AddFuseboxHandler(o => o.Admission = limiter.ToAdmission());
        // snippet:end
    }
}
