using BenchmarkDotNet.Attributes;
using Polly;
using Polly.Registry;
using PollyCB = Polly.CircuitBreaker;

namespace Fusebox.Benchmarks;

/// <summary>Class 6: looking up an existing named breaker among 1,000 (the per-request cost of "one breaker per
/// downstream"). Fusebox's <c>GetOrAdd(name)</c> against Polly's <c>GetOrAddPipeline(name, configure)</c>.</summary>
[MemoryDiagnoser]
public class RegistryLookupBenchmarks
{
    private static readonly Action<ResiliencePipelineBuilder> s_configure =
        static b => b.AddCircuitBreaker(new PollyCB.CircuitBreakerStrategyOptions());

    private ResiliencePipelineRegistry<string> _polly = null!;
    private CircuitBreakerRegistry _fusebox = null!;
    private string _name = null!;

    [GlobalSetup]
    public void Setup()
    {
        _polly = new ResiliencePipelineRegistry<string>();
        _fusebox = new CircuitBreakerRegistry();
        for (int i = 0; i < 1000; i++)
        {
            string name = $"downstream-{i}.example.internal";
            _polly.GetOrAddPipeline(name, s_configure);
            _fusebox.GetOrAdd(name);
        }

        // A fresh string equal to a stored key, as a name built from a request would be.
        _name = string.Concat("downstream-", "500", ".example.internal");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _polly.Dispose();
        _fusebox.Dispose();
    }

    [Benchmark(Baseline = true)]
    public ResiliencePipeline Polly() => _polly.GetOrAddPipeline(_name, s_configure);

    [Benchmark]
    public CircuitBreaker Fusebox() => _fusebox.GetOrAdd(_name);
}
