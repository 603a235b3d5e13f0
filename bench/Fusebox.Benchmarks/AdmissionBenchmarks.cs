using BenchmarkDotNet.Attributes;
using Fusebox.RateLimiting;

namespace Fusebox.Benchmarks;

/// <summary>
/// A <see cref="ResilientCaller"/>'s success path (one attempt) plain and with the adaptive concurrency limiter as its
/// admission stage: what the stage costs per call (its lease, 40 B, and the sample that moves the limit). The plain row
/// is the caller with admission and hedging unset, whose cost is one null check each (compare ComposedBenchmarks).
/// </summary>
[MemoryDiagnoser]
public class AdmissionBenchmarks
{
    private ResilientCaller _plain = null!;
    private ResilientCaller _limited = null!;
    private AdaptiveConcurrencyLimiter _limiter = null!;

    [GlobalSetup]
    public void Setup()
    {
        _limiter = new AdaptiveConcurrencyLimiter(new AdaptiveConcurrencyOptions());
        _plain = new ResilientCaller(Breakers.FuseboxDefault("bench-admission-plain"), new ResilientCallerOptions { Retry = new RetryOptions { MaxAttempts = 3 } });
        _limited = new ResilientCaller(Breakers.FuseboxDefault("bench-admission-limited"), new ResilientCallerOptions
        {
            Retry = new RetryOptions { MaxAttempts = 3 },
            Admission = _limiter.ToAdmission(),
        });
    }

    [Benchmark(Baseline = true)]
    public int PlainCaller() => Breakers.Result(_plain.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42)).Value;

    [Benchmark]
    public int CallerWithAdaptiveLimiter() => Breakers.Result(_limited.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42)).Value;

    [GlobalCleanup]
    public void Cleanup() => _limiter.Dispose();
}
