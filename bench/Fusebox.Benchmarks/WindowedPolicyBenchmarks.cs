using BenchmarkDotNet.Attributes;
using Polly;
using PollyCB = Polly.CircuitBreaker;

namespace Fusebox.Benchmarks;

/// <summary>
/// Class 4: closed-state calls through a failure-rate breaker, 1 call in 10 failing (<see cref="FailurePattern"/>). Polly's breaker always samples
/// over time (10 s here); Fusebox is measured with a count window of 100 calls and a time window of 10 s. Both trip at
/// 50 % over at least 100 calls, so neither trips. Failure is a result (a <see cref="Response"/> flagged failed), not
/// an exception, so the cost of throwing does not swamp the cost of the breaker.
/// </summary>
[MemoryDiagnoser]
public class WindowedPolicyBenchmarks
{
    private ResiliencePipeline<Response> _polly = null!;
    private CircuitBreaker _fuseboxCount = null!;
    private CircuitBreaker _fuseboxTime = null!;
    private int _calls;

    internal Response Next() => FailurePattern.Next(ref _calls);

    [GlobalSetup]
    public void Setup()
    {
        _polly = new ResiliencePipelineBuilder<Response>()
            .AddCircuitBreaker(new PollyCB.CircuitBreakerStrategyOptions<Response>
            {
                FailureRatio = 0.5,
                MinimumThroughput = 100,
                SamplingDuration = TimeSpan.FromSeconds(10),
                ShouldHandle = static args => new ValueTask<bool>(args.Outcome.Result is { IsFailure: true }),
            })
            .Build();
        _fuseboxCount = new CircuitBreaker("count", new CircuitBreakerOptions
        {
            TripPolicy = TripPolicy.FailureRate(0.5, windowSize: 100, minimumCalls: 100),
            ShouldHandleResult = ResultPredicate.Handle<Response>(static r => r.IsFailure),
        });
        _fuseboxTime = new CircuitBreaker("time", new CircuitBreakerOptions
        {
            TripPolicy = TripPolicy.FailureRate(0.5, TimeSpan.FromSeconds(10), minimumCalls: 100),
            ShouldHandleResult = ResultPredicate.Handle<Response>(static r => r.IsFailure),
        });
    }

    [Benchmark(Baseline = true)]
    public Response PollySampling10s() =>
        Breakers.Result(_polly.ExecuteAsync(static (b, _) => new ValueTask<Response>(b.Next()), this, CancellationToken.None));

    [Benchmark]
    public Response FuseboxCount100() =>
        Breakers.Result(_fuseboxCount.ExecuteAsync(static (b, _) => new ValueTask<Response>(b.Next()), this, CancellationToken.None));

    [Benchmark]
    public Response FuseboxTime10s() =>
        Breakers.Result(_fuseboxTime.ExecuteAsync(static (b, _) => new ValueTask<Response>(b.Next()), this, CancellationToken.None));

    [GlobalCleanup]
    public void Check()
    {
        if (_fuseboxCount.State != BreakerState.Closed || _fuseboxTime.State != BreakerState.Closed)
        {
            throw new InvalidOperationException("A windowed breaker tripped: the benchmark no longer measures the closed path.");
        }
    }
}

/// <summary>The count window's cost per call does not depend on its size: one ring cell and running totals. The
/// threshold is 90 % so that even a window of 10 calls never trips on a local cluster of failures.</summary>
[MemoryDiagnoser]
public class WindowScalingBenchmarks
{
    private CircuitBreaker _breaker = null!;
    private int _calls;

    [Params(10, 1000, 100_000)]
    public int WindowSize { get; set; }

    internal Response Next() => FailurePattern.Next(ref _calls);

    [GlobalSetup]
    public void Setup() => _breaker = new CircuitBreaker("scaling", new CircuitBreakerOptions
    {
        TripPolicy = TripPolicy.FailureRate(0.9, windowSize: WindowSize, minimumCalls: WindowSize),
        ShouldHandleResult = ResultPredicate.Handle<Response>(static r => r.IsFailure),
    });

    [GlobalCleanup]
    public void Check()
    {
        if (_breaker.State != BreakerState.Closed)
        {
            throw new InvalidOperationException("The breaker tripped: the benchmark no longer measures the closed path.");
        }
    }

    [Benchmark]
    public Response FuseboxCountWindow() =>
        Breakers.Result(_breaker.ExecuteAsync(static (b, _) => new ValueTask<Response>(b.Next()), this, CancellationToken.None));
}
