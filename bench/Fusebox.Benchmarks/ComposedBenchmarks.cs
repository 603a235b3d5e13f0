using BenchmarkDotNet.Attributes;
using Polly;
using Polly.Retry;
using PollyCB = Polly.CircuitBreaker;

namespace Fusebox.Benchmarks;

/// <summary>Class 7: the success path of breaker + retry + timeout composed, outside to inside, on both sides:
/// Polly's pipeline (circuit breaker, retry, timeout) and Fusebox's <see cref="ResilientCaller"/>.</summary>
[MemoryDiagnoser]
public class ComposedBenchmarks
{
    private ResiliencePipeline _polly = null!;
    private ResilientCaller _fusebox = null!;

    [GlobalSetup]
    public void Setup()
    {
        _polly = new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new PollyCB.CircuitBreakerStrategyOptions())
            .AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 2 })
            .AddTimeout(TimeSpan.FromSeconds(10))
            .Build();
        _fusebox = new ResilientCaller(Breakers.FuseboxDefault("bench-composed"), new ResilientCallerOptions
        {
            Retry = new RetryOptions { MaxAttempts = 3 },
            Timeout = new TimeoutOptions { AttemptTimeout = TimeSpan.FromSeconds(10) },
        });
    }

    [Benchmark(Baseline = true)]
    public int Polly() => Breakers.Result(_polly.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42, CancellationToken.None));

    [Benchmark]
    public int Fusebox() => Breakers.Result(_fusebox.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42)).Value;
}
