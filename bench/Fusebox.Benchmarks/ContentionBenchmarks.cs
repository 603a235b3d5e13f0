using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using Polly;

namespace Fusebox.Benchmarks;

/// <summary>
/// Class 5: two threads hammer one closed breaker with successful calls. One invocation is
/// <see cref="CallsPerThread"/> calls on each of two threads at once; the time per operation BDN reports is wall time
/// divided by all calls of both threads, so <c>Op/s</c> is the breaker's aggregate throughput.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class ContentionBenchmarks
{
    public const int CallsPerThread = 100_000;
    private const int Threads = 2;

    private ResiliencePipeline _polly = null!;
    private CircuitBreaker _fusebox = null!;
    private CircuitBreaker _fuseboxCount = null!;

    [GlobalSetup]
    public void Setup()
    {
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, Threads + 1), io);
        _polly = Breakers.PollyDefault();
        _fusebox = Breakers.FuseboxDefault();
        _fuseboxCount = new CircuitBreaker("count", new CircuitBreakerOptions { TripPolicy = TripPolicy.FailureRate(0.5, windowSize: 100, minimumCalls: 100) });
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = CallsPerThread * Threads)]
    public void Polly() => Parallel.Invoke(PollyLoop, PollyLoop);

    [Benchmark(OperationsPerInvoke = CallsPerThread * Threads)]
    public void Fusebox() => Parallel.Invoke(FuseboxLoop, FuseboxLoop);

    [Benchmark(OperationsPerInvoke = CallsPerThread * Threads)]
    public void FuseboxCount100() => Parallel.Invoke(FuseboxCountLoop, FuseboxCountLoop);

    /// <summary>Not a breaker: the floor under <see cref="FuseboxCount100"/>. Every call of a count window moves its one
    /// shared cursor with a compare-and-swap, so two threads pass that cache line back and forth on every call; this
    /// row is exactly that CAS loop on one shared int, with nothing else around it.</summary>
    [Benchmark(OperationsPerInvoke = CallsPerThread * Threads)]
    public void SharedCursorFloor() => Parallel.Invoke(CursorLoop, CursorLoop);

    private void PollyLoop()
    {
        var pipeline = _polly;
        for (int i = 0; i < CallsPerThread; i++)
        {
            pipeline.Execute(static (s, _) => s, i, CancellationToken.None);
        }
    }

    private void FuseboxLoop()
    {
        var breaker = _fusebox;
        for (int i = 0; i < CallsPerThread; i++)
        {
            breaker.Execute(static (s, _) => s, i, CancellationToken.None);
        }
    }

    private void FuseboxCountLoop()
    {
        var breaker = _fuseboxCount;
        for (int i = 0; i < CallsPerThread; i++)
        {
            breaker.Execute(static (s, _) => s, i, CancellationToken.None);
        }
    }

    private int _cursor;

    private void CursorLoop()
    {
        for (int i = 0; i < CallsPerThread; i++)
        {
            int seen = Volatile.Read(ref _cursor);
            while (Interlocked.CompareExchange(ref _cursor, seen + 1, seen) is var now && now != seen)
            {
                seen = now;
            }
        }
    }

    private sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig() => AddColumn(StatisticColumn.OperationsPerSecond);
    }
}
