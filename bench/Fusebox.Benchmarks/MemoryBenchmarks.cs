using BenchmarkDotNet.Attributes;
using Polly;
using Polly.Registry;
using PollyCB = Polly.CircuitBreaker;

namespace Fusebox.Benchmarks;

/// <summary>
/// Bytes to create one breaker (Alloc column), everything it allocates included: Polly's builder and pipeline with
/// default options, Fusebox's breaker with default options (consecutive-failures policy) and with a count window of
/// 100. Allocated bytes are an upper bound of what stays alive; <c>--retained</c> measures what stays alive.
/// </summary>
[MemoryDiagnoser]
public class BreakerMemoryBenchmarks
{
    private static readonly CircuitBreakerOptions s_countWindow = new() { TripPolicy = TripPolicy.FailureRate(0.5, windowSize: 100, minimumCalls: 100) };

    [Benchmark(Baseline = true)]
    public ResiliencePipeline Polly() => Breakers.PollyDefault();

    [Benchmark]
    public CircuitBreaker FuseboxConsecutive() => Breakers.FuseboxDefault();

    [Benchmark]
    public CircuitBreaker FuseboxCount100() => new("bench", s_countWindow);
}

/// <summary>A registry filled with 100,000 named breakers with default options, from empty, per operation. The
/// names are made once in setup, so neither side pays for them. One operation takes up to seconds, and its allocation
/// is deterministic, so a few iterations are enough in any job.</summary>
[MemoryDiagnoser]
[WarmupCount(1)]
[IterationCount(3)]
public class RegistryMemoryBenchmarks
{
    public const int Count = 100_000;
    private static readonly Action<ResiliencePipelineBuilder> s_configure =
        static b => b.AddCircuitBreaker(new PollyCB.CircuitBreakerStrategyOptions());

    private string[] _names = null!;
    private IDisposable? _last;

    [GlobalSetup]
    public void Setup() => _names = Names(Count);

    internal static string[] Names(int count) => Enumerable.Range(0, count).Select(i => $"tenant-{i}.example.internal").ToArray();

    [IterationCleanup]
    public void Cleanup()
    {
        _last?.Dispose();
        _last = null;
    }

    [Benchmark(Baseline = true)]
    public int Polly()
    {
        var registry = new ResiliencePipelineRegistry<string>();
        foreach (string name in _names)
        {
            registry.GetOrAddPipeline(name, s_configure);
        }

        _last = registry;
        return _names.Length;
    }

    [Benchmark]
    public int Fusebox()
    {
        var registry = new CircuitBreakerRegistry();
        foreach (string name in _names)
        {
            registry.GetOrAdd(name);
        }

        _last = registry;
        return registry.Count;
    }
}
