// snippet:start
using Fusebox;
// snippet:end
using Docs.Tests.Scaffold;

namespace Docs.Tests.Snippets.Readme;

/// <summary>README.md, "Quick start": the three call styles and manual control.</summary>
public sealed class QuickStart : CheckoutScaffold
{
    public async Task RunAsync()
    {
        // snippet:start
        var breaker = new CircuitBreaker("fraud-service", new CircuitBreakerOptions
        {
            TripPolicy = TripPolicy.FailureRate(0.5, windowSize: 20, minimumCalls: 10), // default: ConsecutiveFailures(5)
            BreakDuration = TimeSpan.FromSeconds(30),
            HalfOpenPermits = 3,
        });

        // 1. Throwing style: CircuitOpenException (with RetryAfter) when open; your own exceptions pass through.
        bool safe = await breaker.ExecuteAsync(ct => fraud.CheckAsync(tx, ct), cancellationToken);

        // 2. Outcome style: never throws; a rejection allocates nothing.
        CallOutcome<bool> o = await breaker.TryExecuteAsync(static (s, ct) => s.fraud.CheckAsync(s.tx, ct), (fraud, tx), ct);
        if (o.IsRejected) FlagForManualReview(tx);                 // the seed's fallback

        // 3. Permit style, for code that cannot be wrapped in a lambda.
        if (breaker.TryAcquire(out var permit))
        {
            try { Send(); permit.RecordSuccess(); } catch (Exception ex) { permit.RecordException(ex); throw; }
        }

        breaker.Isolate(); breaker.Disable(); breaker.Reset();        // manual control
        Console.WriteLine(breaker.Snapshot().ToReport());            // total, success, failed, rejected, state changes, success rate
        // snippet:end
    }
}
