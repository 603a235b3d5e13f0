using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using Fusebox.RateLimiting;

namespace Fusebox.Benchmarks;

/// <summary>
/// Fusebox.RateLimiting: one admitted call (acquire, then dispose the lease: the sample that moves the limit) through
/// the adaptive limiter, against System.Threading.RateLimiting's fixed <see cref="ConcurrencyLimiter"/> doing the same,
/// and a closed breaker's call for scale. Gradient2 and AIMD differ only in the arithmetic of the release.
/// </summary>
[MemoryDiagnoser]
public class AdaptiveConcurrencyBenchmarks
{
    private ConcurrencyLimiter _fixed = null!;
    private AdaptiveConcurrencyLimiter _gradient2 = null!;
    private AdaptiveConcurrencyLimiter _aimd = null!;
    private CircuitBreaker _breaker = null!;

    [GlobalSetup]
    public void Setup()
    {
        _fixed = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = 200, QueueLimit = 0 });
        _gradient2 = new AdaptiveConcurrencyLimiter(new AdaptiveConcurrencyOptions());
        _aimd = new AdaptiveConcurrencyLimiter(new AdaptiveConcurrencyOptions { Algorithm = ConcurrencyAlgorithm.Aimd });
        _breaker = Breakers.FuseboxDefault();
    }

    [Benchmark(Baseline = true)]
    public bool FixedConcurrencyLimiter()
    {
        using var lease = _fixed.AttemptAcquire();
        return lease.IsAcquired;
    }

    [Benchmark]
    public bool AdaptiveGradient2()
    {
        using var lease = _gradient2.TryAcquire();
        return lease.IsAcquired;
    }

    [Benchmark]
    public bool AdaptiveAimd()
    {
        using var lease = _aimd.TryAcquire();
        return lease.IsAcquired;
    }

    [Benchmark]
    public int ClosedBreakerCall() => _breaker.Execute(static (s, _) => s, 42, CancellationToken.None);

    [GlobalCleanup]
    public void Cleanup()
    {
        _fixed.Dispose();
        _gradient2.Dispose();
        _aimd.Dispose();
    }
}
