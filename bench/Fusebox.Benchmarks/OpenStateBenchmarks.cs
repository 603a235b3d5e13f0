using BenchmarkDotNet.Attributes;
using Polly;
using PollyCB = Polly.CircuitBreaker;

namespace Fusebox.Benchmarks;

/// <summary>Class 2: a call rejected by an open breaker, exception style: the caller awaits and catches the
/// library's CircuitOpenException. Both breakers were opened by real failures and hold a one-day break. The
/// Exceptions column counts exceptions thrown per call: Polly's async path throws inside the pipeline and again at
/// the caller's await; Fusebox returns a faulted ValueTask and throws once, at the await.</summary>
[MemoryDiagnoser]
[ExceptionDiagnoser]
public class OpenStateExceptionBenchmarks
{
    private ResiliencePipeline _polly = null!;
    private CircuitBreaker _fusebox = null!;

    [GlobalSetup]
    public void Setup()
    {
        _polly = Breakers.PollyOpen();
        _fusebox = Breakers.FuseboxOpen();
    }

    [Benchmark(Baseline = true)]
    public async ValueTask<int> Polly()
    {
        try
        {
            return await _polly.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42, CancellationToken.None).ConfigureAwait(false);
        }
        catch (PollyCB.BrokenCircuitException)
        {
            return -1;
        }
    }

    [Benchmark]
    public async ValueTask<int> Fusebox()
    {
        try
        {
            return await _fusebox.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42, CancellationToken.None).ConfigureAwait(false);
        }
        catch (CircuitOpenException)
        {
            return -1;
        }
    }
}

/// <summary>Class 3: a call rejected by an open breaker, result style: no exception is thrown. Polly's
/// <c>ExecuteOutcomeAsync</c> (with its pooled ResilienceContext, as Polly documents for this API) against Fusebox's
/// <c>TryExecuteAsync</c>.</summary>
/// <remarks>
/// Both calls complete synchronously (checked in the setup), so each benchmark reads the finished ValueTask's result
/// with <c>.Result</c> and looks at the rejection only. An earlier version went through <c>Breakers.Result</c> and then
/// read the outcome's value: the JIT copied the 32-byte ValueTask and the 24-byte outcome four times on the stack,
/// the first copy a 32-byte load of what the callee had just stored in smaller pieces (a failed store-to-load
/// forward), which cost the Fusebox side about as much as the rejection itself (18 ns against the floor's 10 ns in
/// <c>FloorBenchmarks.OpenTryExecuteAsync</c>); none of that is the library's.
/// </remarks>
[MemoryDiagnoser]
public class OpenStateOutcomeBenchmarks
{
    private ResiliencePipeline _polly = null!;
    private CircuitBreaker _fusebox = null!;

    [GlobalSetup]
    public void Setup()
    {
        _polly = Breakers.PollyOpen();
        _fusebox = Breakers.FuseboxOpen();
        var context = ResilienceContextPool.Shared.Get(CancellationToken.None);
        var polly = _polly.ExecuteOutcomeAsync(static (_, s) => global::Polly.Outcome.FromResultAsValueTask(s), context, 42);
        var fusebox = _fusebox.TryExecuteAsync(static (s, _) => new ValueTask<int>(s), 42, CancellationToken.None);
        if (!polly.IsCompletedSuccessfully || !fusebox.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("Both rejections are expected to complete synchronously: .Result must never wait.");
        }

        ResilienceContextPool.Shared.Return(context);
        if (Polly() != -1 || Fusebox() != -1)
        {
            throw new InvalidOperationException("The breakers are expected to reject.");
        }
    }

    [Benchmark(Baseline = true)]
    public int Polly()
    {
        var context = ResilienceContextPool.Shared.Get(CancellationToken.None);
        bool rejected = _polly.ExecuteOutcomeAsync(static (_, s) => global::Polly.Outcome.FromResultAsValueTask(s), context, 42)
            .Result.Exception is PollyCB.BrokenCircuitException;
        ResilienceContextPool.Shared.Return(context);
        return rejected ? -1 : 42;
    }

    [Benchmark]
    public int Fusebox() =>
        _fusebox.TryExecuteAsync(static (s, _) => new ValueTask<int>(s), 42, CancellationToken.None).Result.IsRejected ? -1 : 42;
}
