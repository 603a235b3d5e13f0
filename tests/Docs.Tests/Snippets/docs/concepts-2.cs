// snippet:start
using Fusebox;
// snippet:end

namespace Docs.Tests.Snippets.Concepts;

/// <summary>docs/concepts.md, "Rolling statistics".</summary>
public static class RollingStatisticsSnippet
{
    public static RollingStatistics Run()
    {
        // snippet:start
        var payments = new CircuitBreaker("payments", new CircuitBreakerOptions { CollectStatistics = true });
        RollingStatistics stats = payments.Snapshot().Statistics!;   // null while CollectStatistics is off
        Console.WriteLine($"{stats.RequestsPerSecond:0.#}/s, {stats.ErrorRate:P0} errors, p99 {stats.Latency.P99.TotalMilliseconds} ms, last: {stats.LastFailure?.Type}");
        // snippet:end
        return stats;
    }
}
