using Fusebox.Tests.Support;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Fusebox.Tests.Resilience;

public class ResilienceMetricsAndAllocationTests
{
    [Fact]
    public async Task Attempts_retries_budget_timeouts_and_fallbacks_are_counted_with_the_breaker_tag()
    {
        using var metrics = new FuseboxMetrics();
        using var attempts = new MetricCollector<long>(metrics.Meter, "fusebox.attempts");
        using var retries = new MetricCollector<long>(metrics.Meter, "fusebox.retries");
        using var exhausted = new MetricCollector<long>(metrics.Meter, "fusebox.retry_budget_exhausted");
        using var timeouts = new MetricCollector<long>(metrics.Meter, "fusebox.timeouts");
        using var fallbacks = new MetricCollector<long>(metrics.Meter, "fusebox.fallbacks");
        var time = new SteppingTimeProvider();
        var breaker = new CircuitBreaker("fraud", new CircuitBreakerOptions(), time, metrics);
        var retry = ResilienceTestSupport.NoJitter(attempts: 3, baseMs: 0);
        retry.Budget = new RetryBudget(retryRatio: 1, minimumRetriesPerSecond: 0, timeProvider: time); // the one call pays for one retry
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions { Retry = retry, Timeout = new TimeoutOptions { AttemptTimeout = TimeSpan.FromSeconds(1) } });

        var result = await time.DriveAsync(caller.ExecuteAsync(time.HangAsync<int>, Fallback<int>.Value(-1)));

        Assert.Equal(-1, result.Value);
        Assert.Equal(2, attempts.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(1, retries.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(1, exhausted.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(2, timeouts.GetMeasurementSnapshot().Count(m => (string?)m.Tags["fusebox.timeout"] == "attempt"));
        Assert.Equal("failed", fallbacks.GetMeasurementSnapshot().Single().Tags["fusebox.reason"]);
        Assert.All(attempts.GetMeasurementSnapshot(), m => Assert.Equal("fraud", m.Tags[FuseboxMetrics.BreakerTag]));
    }

    [ZeroAllocationFact]
    public void The_composed_success_path_allocates_nothing()
    {
        var breaker = new CircuitBreaker("alloc", new CircuitBreakerOptions(), TimeProvider.System, new FuseboxMetrics());
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions { Retry = new RetryOptions { Budget = new RetryBudget() } });
        var fallback = Fallback<int>.Value(-1);

        long bytes = Allocated(() => caller.ExecuteAsync(static (s, ct) => new ValueTask<int>(s), 1, fallback).GetAwaiter().GetResult());

        Assert.Equal(0, bytes);
    }

    [ZeroAllocationFact]
    public void The_composed_success_path_with_timeouts_allocates_nothing_once_warm()
    {
        var breaker = new CircuitBreaker("alloc", new CircuitBreakerOptions(), TimeProvider.System, new FuseboxMetrics());
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions
        {
            Timeout = new TimeoutOptions { AttemptTimeout = TimeSpan.FromSeconds(5), OverallTimeout = TimeSpan.FromSeconds(10) },
        });
        using var cts = new CancellationTokenSource();

        long bytes = Allocated(() => caller.ExecuteAsync(static (s, ct) => new ValueTask<int>(s), 1, cancellationToken: cts.Token).GetAwaiter().GetResult());

        Assert.Equal(0, bytes);
    }

    private static long Allocated(Action action)
    {
        for (int i = 0; i < 10; i++)
        {
            action();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            action();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
