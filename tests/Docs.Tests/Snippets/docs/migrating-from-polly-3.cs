// snippet:start
using System.Net;
using Polly;
using Polly.CircuitBreaker;
// snippet:end
using Docs.Tests.Scaffold;

namespace Docs.Tests.Snippets.MigratingFromPolly;

/// <summary>docs/migrating-from-polly.md: a growing break and failing results, in Polly.</summary>
public sealed class PollyGrowingBreak : CheckoutScaffold
{
    public void Run()
    {
        // snippet:start
        var growing = new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                .Handle<HttpRequestException>()
                .HandleResult(r => r.StatusCode == HttpStatusCode.ServiceUnavailable),
            // 10 s, 20 s, 40 s … after each failed probe, at most 5 minutes
            BreakDurationGenerator = static args => ValueTask.FromResult(
                TimeSpan.FromSeconds(Math.Min(300, 10 * Math.Pow(2, args.HalfOpenAttempts)))),
        };
        // snippet:end
    }
}
