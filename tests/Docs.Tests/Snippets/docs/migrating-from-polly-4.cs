// snippet:start
using System.Net;
using Fusebox;
// snippet:end
using Docs.Tests.Scaffold;

namespace Docs.Tests.Snippets.MigratingFromPolly;

/// <summary>docs/migrating-from-polly.md: a growing break and failing results, in Fusebox.</summary>
public sealed class FuseboxGrowingBreak : CheckoutScaffold
{
    public void Run()
    {
        // snippet:start
        var growing = new CircuitBreakerOptions
        {
            ShouldHandleException = ex => ex is HttpRequestException,
            ShouldHandleResult = ResultPredicate.Handle<HttpResponseMessage>(r => r.StatusCode == HttpStatusCode.ServiceUnavailable),
            BreakDuration = TimeSpan.FromSeconds(10),
            BreakDurationBackoff = 2,                            // 10 s, 20 s, 40 s … after each failed probe
            MaxBreakDuration = TimeSpan.FromMinutes(5),
            BreakDurationJitter = 0.1,                           // each break up to 10 % shorter, so replicas do not probe in step
        };
        // snippet:end
    }
}
