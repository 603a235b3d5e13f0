using System.Runtime.CompilerServices;
using Polly;
using PollyCB = Polly.CircuitBreaker;

namespace Fusebox.Benchmarks;

/// <summary>
/// Builds the breakers under test. Every Fusebox breaker runs on <see cref="TimeProvider.System"/> (the default), and
/// every Polly pipeline on Polly's defaults, except where a benchmark needs a setting both sides then share (a long
/// break so an open breaker stays open for the whole run; the same window and threshold for the windowed policies).
/// </summary>
internal static class Breakers
{
    /// <summary>Longer than any benchmark run, and the largest break both libraries accept.</summary>
    public static readonly TimeSpan LongBreak = TimeSpan.FromDays(1);

    public static ResiliencePipeline PollyDefault() =>
        new ResiliencePipelineBuilder().AddCircuitBreaker(new PollyCB.CircuitBreakerStrategyOptions()).Build();

    public static CircuitBreaker FuseboxDefault(string name = "bench") => new(name, null);

    /// <summary>A Polly breaker tripped open by real failures (default thresholds: 10 % of at least 100 calls).</summary>
    public static ResiliencePipeline PollyOpen()
    {
        var control = new PollyCB.CircuitBreakerStateProvider();
        var pipeline = new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new PollyCB.CircuitBreakerStrategyOptions { BreakDuration = LongBreak, StateProvider = control })
            .Build();
        for (int i = 0; i < 200 && control.CircuitState == PollyCB.CircuitState.Closed; i++)
        {
            try
            {
                pipeline.Execute(static () => throw new InvalidOperationException("setup failure"));
            }
            catch (InvalidOperationException)
            {
            }
        }

        if (control.CircuitState != PollyCB.CircuitState.Open)
        {
            throw new InvalidOperationException($"Polly breaker did not open (state {control.CircuitState}).");
        }

        return pipeline;
    }

    /// <summary>A Fusebox breaker tripped open by real failures (default policy: 5 consecutive failures).</summary>
    public static CircuitBreaker FuseboxOpen()
    {
        var breaker = new CircuitBreaker("bench-open", new CircuitBreakerOptions { BreakDuration = LongBreak });
        while (breaker.State == BreakerState.Closed && breaker.TryAcquire(out var permit))
        {
            permit.RecordFailure();
        }

        if (breaker.State != BreakerState.Open)
        {
            throw new InvalidOperationException($"Fusebox breaker did not open (state {breaker.State}).");
        }

        return breaker;
    }

    /// <summary>Returns the result of a ValueTask without async machinery when it completed synchronously (it does,
    /// for every benchmarked path: the operations are no-ops), so the benchmark measures the library alone.</summary>
    /// <remarks>The blocking wait (never taken) is out of line: inlined into each benchmark method, its Task, awaiter
    /// and exception plumbing cost the result-style Fusebox benchmark ~4 ns per call (21.6 → 17.8 ns; Polly's side
    /// moved within its noise), none of it the library's.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Result<T>(ValueTask<T> pending) =>
        pending.IsCompletedSuccessfully ? pending.Result : Wait(pending);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static T Wait<T>(ValueTask<T> pending) => pending.AsTask().GetAwaiter().GetResult();
}

/// <summary>
/// Which calls fail: 10 % of them, in a fixed pseudo-random order of 1,024 calls (seeded, so every run and both
/// libraries see the same sequence). Not every 10th call: a period of 10 would line up with windows of 100 or 1,000
/// calls and put a failure in the same window cell every time, which flatters a ring buffer.
/// </summary>
internal static class FailurePattern
{
    private static readonly Response[] s_results = Build();

    public static Response Next(ref int calls) => s_results[++calls & (s_results.Length - 1)];

    private static Response[] Build()
    {
        var random = new Random(20_260_101);
        var results = new Response[1024];
        for (int i = 0; i < results.Length; i++)
        {
            results[i] = i < results.Length / 10 ? Response.Failed : Response.Ok;
        }

        random.Shuffle(results);
        return results;
    }
}

/// <summary>A reference-type result, like an HTTP response: classifying it as failed needs no boxing on either side.</summary>
public sealed class Response(bool failed)
{
    public static readonly Response Ok = new(false);
    public static readonly Response Failed = new(true);

    public bool IsFailure { get; } = failed;
}
