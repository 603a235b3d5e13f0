using BenchmarkDotNet.Attributes;

namespace Fusebox.Benchmarks;

/// <summary>
/// Breaker groups: a call through a group member against the same call through a plain breaker, closed (the path a
/// group must not touch) and open (one more field read, for panic), and one evaluation of a 100-member group (the
/// outlier test and the health count: what the group costs per interval instead of per call).
/// </summary>
[MemoryDiagnoser]
public class GroupBenchmarks
{
    private static readonly CircuitBreakerOptions s_options = new() { BreakDuration = TimeSpan.FromDays(1) };
    private CircuitBreaker _plain = null!;
    private CircuitBreaker _member = null!;
    private CircuitBreaker _plainOpen = null!;
    private CircuitBreaker _memberOpen = null!;
    private BreakerGroup _group = null!;
    private BreakerGroup _large = null!;

    [GlobalSetup]
    public void Setup()
    {
        var options = new BreakerGroupOptions { MemberOptions = s_options, PanicThresholdPercent = 0, EvaluationInterval = TimeSpan.FromDays(1) };
        _group = new BreakerGroup("bench", options);
        _plain = new CircuitBreaker("plain", s_options);
        _member = _group.GetOrAdd("closed");
        _plainOpen = new CircuitBreaker("plain-open", s_options);
        _memberOpen = _group.GetOrAdd("open");
        Trip(_plainOpen);
        Trip(_memberOpen); // the group's only open slot (a group of two has a cap of one)
        _large = new BreakerGroup("large", options);
        for (int i = 0; i < 100; i++)
        {
            var member = _large.GetOrAdd($"10.0.{i / 256}.{i % 256}:443");
            for (int call = 0; call < 100; call++)
            {
                member.Execute(static (s, _) => s, 1, CancellationToken.None);
            }
        }
    }

    [Benchmark(Baseline = true)]
    public int PlainBreakerCall() => _plain.Execute(static (s, _) => s, 42, CancellationToken.None);

    [Benchmark]
    public int GroupMemberCall() => _member.Execute(static (s, _) => s, 42, CancellationToken.None);

    [Benchmark]
    public bool PlainBreakerRejection() => _plainOpen.TryAcquire(out _);

    [Benchmark]
    public bool GroupMemberRejection() => _memberOpen.TryAcquire(out _);

    [Benchmark]
    public void GroupEvaluation100Members() => _large.Evaluate();

    private static void Trip(CircuitBreaker breaker)
    {
        while (breaker.TryAcquire(out var permit))
        {
            permit.RecordFailure();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _group.Dispose();
        _large.Dispose();
    }
}
