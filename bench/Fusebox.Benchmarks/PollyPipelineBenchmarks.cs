using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Fusebox.Polly;
using Polly;
using PollyCB = Polly.CircuitBreaker;

namespace Fusebox.Benchmarks;

/// <summary>
/// The same Polly v8 pipeline twice: once with Polly's circuit breaker, once with the Fusebox strategy
/// (Fusebox.Polly's <c>AddFuseboxCircuitBreaker</c>, its breaker looked up by name in a registry on every call).
/// Closed: a successful no-op call through <c>ExecuteAsync</c> with a static lambda and a state argument. Open: a
/// rejected call through <c>ExecuteOutcomeAsync</c> with a pooled <see cref="ResilienceContext"/> (no exception is
/// thrown at the caller; both sides build the same <c>BrokenCircuitException</c> outcome). Both sides run on Polly's
/// and Fusebox's defaults; the open breakers were tripped by real failures and hold a one-day break.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PollyPipelineBenchmarks
{
    private ResiliencePipeline _pollyClosed = null!;
    private ResiliencePipeline _fuseboxClosed = null!;
    private ResiliencePipeline _pollyOpen = null!;
    private ResiliencePipeline _fuseboxOpen = null!;

    [GlobalSetup]
    public void Setup()
    {
        _pollyClosed = Breakers.PollyDefault();
        _fuseboxClosed = new ResiliencePipelineBuilder().AddFuseboxCircuitBreaker(new CircuitBreakerRegistry(), "bench").Build();
        _pollyOpen = Breakers.PollyOpen();
        _fuseboxOpen = FuseboxOpen();
        if (PollyRejected() != -1 || FuseboxRejected() != -1)
        {
            throw new InvalidOperationException("Both open pipelines are expected to reject.");
        }
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Closed")]
    public int PollyBreaker() => Breakers.Result(_pollyClosed.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42, CancellationToken.None));

    [Benchmark, BenchmarkCategory("Closed")]
    public int FuseboxStrategy() => Breakers.Result(_fuseboxClosed.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42, CancellationToken.None));

    [Benchmark(Baseline = true), BenchmarkCategory("Open")]
    public int PollyRejected() => Rejected(_pollyOpen);

    [Benchmark, BenchmarkCategory("Open")]
    public int FuseboxRejected() => Rejected(_fuseboxOpen);

    private static int Rejected(ResiliencePipeline pipeline)
    {
        var context = ResilienceContextPool.Shared.Get(CancellationToken.None);
        var outcome = Breakers.Result(pipeline.ExecuteOutcomeAsync(static (_, s) => Outcome.FromResultAsValueTask(s), context, 42));
        ResilienceContextPool.Shared.Return(context);
        return outcome.Exception is PollyCB.BrokenCircuitException ? -1 : 42;
    }

    /// <summary>A Fusebox strategy whose breaker was tripped by real failures (default policy: 5 consecutive failures).</summary>
    private static ResiliencePipeline FuseboxOpen()
    {
        var registry = new CircuitBreakerRegistry(new CircuitBreakerRegistryOptions
        {
            DefaultOptions = new CircuitBreakerOptions { BreakDuration = Breakers.LongBreak },
        });
        var pipeline = new ResiliencePipelineBuilder().AddFuseboxCircuitBreaker(registry, "bench-open").Build();
        for (int i = 0; i < 5; i++)
        {
            try
            {
                pipeline.Execute(static () => throw new InvalidOperationException("setup failure"));
            }
            catch (InvalidOperationException)
            {
            }
        }

        return pipeline;
    }
}
