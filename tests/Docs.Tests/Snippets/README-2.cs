// snippet:start
using Fusebox;
// snippet:end
using Docs.Tests.Scaffold;

namespace Docs.Tests.Snippets.Readme;

/// <summary>README.md, "Quick start": ResilientCaller around the breaker of the first snippet.</summary>
public sealed class ResilientCallerStart : CheckoutScaffold
{
    public async Task RunAsync()
    {
        // snippet:start
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions
        {
            Retry = new RetryOptions { MaxAttempts = 3, Budget = new RetryBudget(retryRatio: 0.2) },
            Timeout = new TimeoutOptions { AttemptTimeout = TimeSpan.FromSeconds(1) },
        });
        CallResult<bool> r = await caller.ExecuteAsync(ct => fraud.CheckAsync(tx, ct), Fallback<bool>.Value(true, FallbackTrigger.Rejected), ct);
        if (r.UsedFallback) FlagForManualReview(tx);
        // snippet:end
    }
}
