using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Polly;

namespace Fusebox.Benchmarks;

/// <summary>Class 1: a successful call through a closed breaker, the path every healthy request takes.
/// Both sides run a no-op operation that returns 42 through a static lambda with a state argument. The
/// <c>*Statistics</c> rows are the same call on a breaker with <see cref="CircuitBreakerOptions.CollectStatistics"/> on
/// (the target: within 10 ns of the row above it).</summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ClosedStateBenchmarks
{
    private ResiliencePipeline _polly = null!;
    private CircuitBreaker _fusebox = null!;
    private CircuitBreaker _fuseboxStatistics = null!;

    [GlobalSetup]
    public void Setup()
    {
        _polly = Breakers.PollyDefault();
        _fusebox = Breakers.FuseboxDefault();
        _fuseboxStatistics = new CircuitBreaker("bench-statistics", new CircuitBreakerOptions { CollectStatistics = true });
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Sync")]
    public int PollySync() => _polly.Execute(static (s, _) => s, 42, CancellationToken.None);

    [Benchmark, BenchmarkCategory("Sync")]
    public int FuseboxSync() => _fusebox.Execute(static (s, _) => s, 42, CancellationToken.None);

    [Benchmark, BenchmarkCategory("Sync")]
    public int FuseboxSyncStatistics() => _fuseboxStatistics.Execute(static (s, _) => s, 42, CancellationToken.None);

    [Benchmark(Baseline = true), BenchmarkCategory("Async")]
    public int PollyAsync() => Breakers.Result(_polly.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42, CancellationToken.None));

    [Benchmark, BenchmarkCategory("Async")]
    public int FuseboxAsync() => Breakers.Result(_fusebox.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42, CancellationToken.None));

    [Benchmark, BenchmarkCategory("Async")]
    public int FuseboxAsyncStatistics() => Breakers.Result(_fuseboxStatistics.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42, CancellationToken.None));
}
