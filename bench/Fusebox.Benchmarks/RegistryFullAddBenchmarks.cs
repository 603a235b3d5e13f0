using BenchmarkDotNet.Attributes;

namespace Fusebox.Benchmarks;

/// <summary>
/// Adding a new name to a full registry (<c>MaxBreakers</c> = N, <c>EvictAfterIdle</c> = 1 h) whose breakers go idle one
/// by one, oldest first: the steady state of a registry whose names come from requests. Each operation moves a
/// manual clock on by EvictAfterIdle / N and adds a name, which must evict the breaker that has just become idle.
/// The cost should not depend on N: the idle sweep looks at a bounded number of entries per add (it used to scan
/// all N under the add lock: 13 ms per add at 100,000 and 209 ms at 1,000,000, measured before the fix).
/// </summary>
[MemoryDiagnoser]
public class RegistryFullAddBenchmarks
{
    private static readonly TimeSpan Idle = TimeSpan.FromHours(1);

    private ManualClock _clock = null!;
    private CircuitBreakerRegistry _registry = null!;
    private long _step;
    private int _next;

    [Params(100_000, 1_000_000)]
    public int Breakers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _clock = new ManualClock();
        _registry = new CircuitBreakerRegistry(new CircuitBreakerRegistryOptions { MaxBreakers = Breakers, EvictAfterIdle = Idle }, _clock);
        _step = Math.Max(1, Idle.Ticks / Breakers);
        for (int i = 0; i < Breakers; i++)
        {
            _registry.GetOrAdd("host-" + i);
            _clock.Advance(_step);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _registry.Dispose();

    [Benchmark]
    public CircuitBreaker AddToFullRegistry()
    {
        _clock.Advance(_step);
        return _registry.GetOrAdd("new-" + _next++);
    }

    /// <summary>A clock that moves only when told to, so "idle" is exact however long an iteration takes.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _now = 1;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public void Advance(long ticks) => _now += ticks;

        public override long GetTimestamp() => _now;
    }
}
