// snippet:start
using Fusebox;
// snippet:end
using Docs.Tests.Scaffold;

namespace Docs.Tests.Snippets.MigratingFromPolly;

/// <summary>docs/migrating-from-polly.md: the Fusebox breaker of "The same breaker, both ways".</summary>
public sealed class FuseboxBreaker : CheckoutScaffold
{
    public async Task RunAsync()
    {
        // snippet:start
        var breaker = new CircuitBreaker("fraud-service", new CircuitBreakerOptions
        {
            TripPolicy = TripPolicy.FailureRate(0.5, TimeSpan.FromSeconds(30), minimumCalls: 10),
            BreakDuration = TimeSpan.FromSeconds(15),
            HalfOpenPermits = 1,                                 // Polly's single probe; Fusebox's default is 3
            ShouldHandleException = ex => ex is HttpRequestException,
        });
        breaker.StateChanged += (_, e) =>
        {
            if (e.NewState == BreakerState.Open) Console.WriteLine($"fraud-service open ({e.Reason})");
        };

        try
        {
            bool safe = await breaker.ExecuteAsync(static (s, ct) => s.fraud.CheckAsync(s.tx, ct), (fraud, tx), cancellationToken);
        }
        catch (CircuitOpenException)                         // not a BrokenCircuitException: a catch written for Polly misses it
        {
            FlagForManualReview(tx);
        }

        BreakerState state = breaker.State;
        breaker.Isolate();
        breaker.Reset();
        // snippet:end
    }
}
