using System.Diagnostics;
using BenchmarkDotNet.Attributes;

namespace Fusebox.Benchmarks;

/// <summary>
/// Not a comparison: the building blocks that bound Fusebox's fast paths on this machine, for reading the other
/// tables. A clock read is the floor of an open-state decision; a processor-id read plus one uncontended interlocked
/// increment is what the striped lifetime counters cost every call; the permit API shows the breaker's own cost
/// without a call style around it.
/// </summary>
[MemoryDiagnoser]
public class FloorBenchmarks
{
    private CircuitBreaker _open = null!;
    private CircuitBreaker _closed = null!;
    private long _counter;

    [GlobalSetup]
    public void Setup()
    {
        _open = Breakers.FuseboxOpen();
        _closed = Breakers.FuseboxDefault();
    }

    [Benchmark]
    public long EnvironmentTickCount64() => Environment.TickCount64;

    [Benchmark]
    public long StopwatchGetTimestamp() => Stopwatch.GetTimestamp();

    [Benchmark]
    public long TimeProviderGetTimestamp() => TimeProvider.System.GetTimestamp();

    [Benchmark]
    public int GetCurrentProcessorId() => Thread.GetCurrentProcessorId();

    [Benchmark]
    public long InterlockedIncrement() => Interlocked.Increment(ref _counter);

    [Benchmark]
    public bool OpenTryAcquire() => _open.TryAcquire(out _, out _);

    [Benchmark]
    public bool OpenTryExecuteSync() => _open.TryExecute(static (s, _) => s, 42, CancellationToken.None).IsRejected;

    [Benchmark]
    public bool OpenTryExecuteAsync() => _open.TryExecuteAsync(static (s, _) => new ValueTask<int>(s), 42, CancellationToken.None).Result.IsRejected;

    [Benchmark]
    public bool ClosedTryAcquireRecordSuccess()
    {
        if (!_closed.TryAcquire(out var permit))
        {
            return false;
        }

        permit.RecordSuccess();
        return true;
    }
}
