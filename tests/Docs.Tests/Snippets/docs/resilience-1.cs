// snippet:start
using Fusebox;
// snippet:end
using Docs.Tests.Scaffold;

namespace Docs.Tests.Snippets.Resilience;

/// <summary>docs/resilience.md: a registry breaker with retries, timeouts and a reusable fallback.</summary>
public sealed class ComposedCall : CheckoutScaffold
{
    public async Task RunAsync()
    {
        // snippet:start
        var breaker = registry.GetOrAdd("fraud-service");
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions
        {
            Retry = new RetryOptions { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(100), Budget = new RetryBudget(0.2) },
            Timeout = new TimeoutOptions { AttemptTimeout = TimeSpan.FromSeconds(1), OverallTimeout = TimeSpan.FromSeconds(3) },
        });
        var allowAndFlag = Fallback<bool>.Value(true, FallbackTrigger.Rejected);   // create once, reuse

        CallResult<bool> r = await caller.ExecuteAsync(static (s, ct) => s.fraud.CheckAsync(s.tx, ct), (fraud, tx), allowAndFlag, ct);
        if (r.UsedFallback) FlagForManualReview(tx);
        // snippet:end
    }
}
