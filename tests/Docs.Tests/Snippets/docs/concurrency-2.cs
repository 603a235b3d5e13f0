using Docs.Tests.Scaffold;
using Fusebox;

namespace Docs.Tests.Snippets.Concurrency;

/// <summary>docs/concurrency.md: hedging charged to the retry budget.</summary>
public sealed class HedgedCall : CheckoutScaffold
{
    public async Task<bool> RunAsync()
    {
        // snippet:start
        var hedged = new ResilientCaller(breaker, new ResilientCallerOptions
        {
            Retry = new RetryOptions { MaxAttempts = 1, Budget = new RetryBudget(retryRatio: 0.1) },
            Hedging = new HedgingOptions { Delay = TimeSpan.FromMilliseconds(50), MaxHedgedAttempts = 2 },
        });
        CallResult<bool> r = await hedged.ExecuteAsync(static (s, ct) => s.fraud.CheckAsync(s.tx, ct), (fraud, tx), cancellationToken: ct);
        // snippet:end
        return r.Value;
    }
}
