using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Fusebox.Benchmarks;

/// <summary>
/// Adaptive throttling and shadow mode against the plain breaker (the baseline, the same call as
/// <see cref="ClosedStateBenchmarks.FuseboxAsync"/>): a successful closed-state call through a breaker with
/// throttling on and p = 0 (healthy: no random draw, a request and an accept counted), one throttling at p ≈ 0.5 (every
/// call draws; about half are rejected, allocation-free, through <c>TryExecuteAsync</c>), and a closed breaker in
/// shadow mode (whose closed path is the plain one: it should read as the baseline).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ThrottlingBenchmarks
{
    private CircuitBreaker _plain = null!;
    private CircuitBreaker _throttlingHealthy = null!;
    private CircuitBreaker _throttling = null!;
    private CircuitBreaker _shadow = null!;

    [GlobalSetup]
    public void Setup()
    {
        _plain = Breakers.FuseboxDefault();
        _throttlingHealthy = new CircuitBreaker("bench-throttling", new CircuitBreakerOptions { AdaptiveThrottling = new AdaptiveThrottlingOptions() });
        _throttling = new CircuitBreaker("bench-throttling-half", new CircuitBreakerOptions
        {
            TripPolicy = TripPolicy.ConsecutiveFailures(int.MaxValue),
            AdaptiveThrottling = new AdaptiveThrottlingOptions { AcceptsMultiplier = 1, Window = TimeSpan.FromDays(1) },
        });

        // Requests without accepts until p ≈ 0.5 (K = 1 and a one-day window: the counts barely move during a run).
        for (int i = 0; i < 1_000_000 && _throttling.Snapshot().ThrottleProbability < 0.5; i++)
        {
            if (_throttling.TryAcquire(out var permit))
            {
                permit.RecordFailure();
            }
        }

        _shadow = new CircuitBreaker("bench-shadow", new CircuitBreakerOptions { ShadowMode = true });
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Closed")]
    public int Plain() => Breakers.Result(_plain.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42, CancellationToken.None));

    [Benchmark, BenchmarkCategory("Closed")]
    public int ThrottlingIdle() => Breakers.Result(_throttlingHealthy.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42, CancellationToken.None));

    [Benchmark, BenchmarkCategory("Closed")]
    public int Shadow() => Breakers.Result(_shadow.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42, CancellationToken.None));

    [Benchmark, BenchmarkCategory("Throttling")]
    public bool ThrottlingHalf() => Breakers.Result(_throttling.TryExecuteAsync(static (s, _) => new ValueTask<int>(s), 42, CancellationToken.None)).HasValue;
}
