// snippet:start
using Fusebox;
// snippet:end
using Docs.Tests.Scaffold;

namespace Docs.Tests.Snippets.Packages;

/// <summary>src/Fusebox/README.md: the package README of Fusebox.</summary>
public sealed class CorePackage : CheckoutScaffold
{
    public async Task RunAsync()
    {
        // snippet:start
        var breaker = new CircuitBreaker("fraud-service", new CircuitBreakerOptions
        {
            TripPolicy = TripPolicy.FailureRate(0.5, windowSize: 20, minimumCalls: 10),
            BreakDuration = TimeSpan.FromSeconds(30),
        });
        // Throws CircuitOpenException (with RetryAfter) while open; your own exceptions pass through.
        bool safe = await breaker.ExecuteAsync(ct => fraud.CheckAsync(tx, ct), cancellationToken);
        // snippet:end
    }
}
