using BenchmarkDotNet.Attributes;
using Polly;
using PollyCB = Polly.CircuitBreaker;

namespace Fusebox.Benchmarks;

/// <summary>Class 2: a call rejected by an open breaker, exception style: the caller awaits and catches the
/// library's BrokenCircuitException. Both breakers were opened by real failures and hold a one-day break. The
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
        catch (BrokenCircuitException)
        {
            return -1;
        }
    }
}

/// <summary>Class 3: a call rejected by an open breaker, result style: no exception is thrown. Polly's
/// <c>ExecuteOutcomeAsync</c> (with its pooled ResilienceContext, as Polly documents for this API) against Fusebox's
/// <c>TryExecuteAsync</c>.</summary>
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
        if (Polly() != -1 || Fusebox() != -1)
        {
            throw new InvalidOperationException("The breakers are expected to reject.");
        }
    }

    [Benchmark(Baseline = true)]
    public int Polly()
    {
        var context = ResilienceContextPool.Shared.Get(CancellationToken.None);
        var outcome = Breakers.Result(_polly.ExecuteOutcomeAsync(static (_, s) => global::Polly.Outcome.FromResultAsValueTask(s), context, 42));
        ResilienceContextPool.Shared.Return(context);
        return outcome.Exception is PollyCB.BrokenCircuitException ? -1 : outcome.Result;
    }

    [Benchmark]
    public int Fusebox()
    {
        var outcome = Breakers.Result(_fusebox.TryExecuteAsync(static (s, _) => new ValueTask<int>(s), 42, CancellationToken.None));
        return outcome.IsRejected ? -1 : outcome.Value;
    }
}
