using Microsoft.Extensions.Time.Testing;
using Polly;

namespace Fusebox.Polly.Tests;

/// <summary>The caller's cancellation gives the permit back: it is neither a failure nor a success, and a half-open
/// probe slot is free again at once rather than after ProbeTimeout (60 s by default, never advanced here).</summary>
public class CancellationTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task A_half_open_probe_cancelled_by_its_caller_frees_the_probe_slot()
    {
        var registry = TestBreakers.Registry(_time, halfOpenPermits: 1);
        var pipeline = new ResiliencePipelineBuilder().AddFuseboxCircuitBreaker(registry, "probe").Build();
        await TestBreakers.FailAsync(pipeline);
        await TestBreakers.FailAsync(pipeline);
        _time.Advance(TestBreakers.Break);
        using var cancel = new CancellationTokenSource();
        var probeRunning = new TaskCompletionSource();
        var probe = pipeline.ExecuteAsync(async token => { probeRunning.SetResult(); await Task.Delay(Timeout.Infinite, token); }, cancel.Token).AsTask();
        await probeRunning.Task;
        Assert.Equal(0, registry.GetOrAdd("probe").Snapshot().FreeProbeSlots);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => probe);

        var breaker = registry.GetOrAdd("probe");
        Assert.Equal(BreakerState.HalfOpen, breaker.State);
        Assert.Equal(1, breaker.Snapshot().FreeProbeSlots);
        Assert.Equal((1, (Exception?)null), await TestBreakers.SucceedAsync(pipeline)); // the next call is the probe, and closes
        Assert.Equal(BreakerState.Closed, breaker.State);
    }

    [Fact]
    public async Task A_probe_cancelled_after_its_admission_and_before_it_runs_is_not_run_and_frees_its_slot()
    {
        // Polly itself turns away a call whose token is already cancelled before any strategy sees it; the strategy's
        // own check covers a cancellation between the admission and the operation (here: while OnHalfOpened runs).
        var registry = TestBreakers.Registry(_time, halfOpenPermits: 1);
        using var cancel = new CancellationTokenSource();
        var pipeline = new ResiliencePipelineBuilder()
            .AddFuseboxCircuitBreaker(new FuseboxStrategyOptions
            {
                Registry = registry,
                BreakerName = "early",
                OnHalfOpened = async _ => await cancel.CancelAsync(),
            })
            .Build();
        await TestBreakers.FailAsync(pipeline);
        await TestBreakers.FailAsync(pipeline);
        _time.Advance(TestBreakers.Break);

        var (ran, error) = await TestBreakers.SucceedAsync(pipeline, cancel.Token);

        Assert.Equal(0, ran);
        Assert.IsType<OperationCanceledException>(error, exactMatch: false);
        var snapshot = registry.GetOrAdd("early").Snapshot();
        Assert.Equal((BreakerState.HalfOpen, 1, 1), (snapshot.State, snapshot.IgnoredCalls, snapshot.FreeProbeSlots));
    }

    [Fact]
    public async Task Cancellation_releases_even_when_ShouldHandle_would_count_the_exception()
    {
        var registry = TestBreakers.Registry(_time);
        var pipeline = new ResiliencePipelineBuilder()
            .AddFuseboxCircuitBreaker(new FuseboxStrategyOptions { Registry = registry, BreakerName = "any", ShouldHandle = _ => ValueTask.FromResult(true) })
            .Build();
        for (int i = 0; i < 3; i++)
        {
            using var cancel = new CancellationTokenSource();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pipeline.ExecuteAsync(
                async token => { await cancel.CancelAsync(); token.ThrowIfCancellationRequested(); }, cancel.Token).AsTask());
        }

        var snapshot = registry.GetOrAdd("any").Snapshot();
        Assert.Equal(BreakerState.Closed, snapshot.State);
        Assert.Equal((0, 3), (snapshot.FailedCalls, snapshot.IgnoredCalls));
    }

    [Fact]
    public async Task An_OperationCanceledException_the_caller_did_not_ask_for_is_a_failure()
    {
        var registry = TestBreakers.Registry(_time);
        var pipeline = new ResiliencePipelineBuilder().AddFuseboxCircuitBreaker(registry, "inner-timeout").Build();

        // e.g. HttpClient.Timeout: a TaskCanceledException while the caller's own token is not cancelled.
        for (int i = 0; i < 2; i++)
        {
            await Assert.ThrowsAsync<TaskCanceledException>(() => pipeline.ExecuteAsync(static _ => throw new TaskCanceledException("inner timeout")).AsTask());
        }

        Assert.Equal(BreakerState.Open, registry.GetOrAdd("inner-timeout").State);
    }
}
