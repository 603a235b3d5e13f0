using Microsoft.Extensions.Time.Testing;
using Polly;

namespace Fusebox.Polly.Tests;

/// <summary>Registries whose breakers trip after 2 consecutive failures, break for 10 s on a fake clock and probe with one call.</summary>
internal static class TestBreakers
{
    public static readonly TimeSpan Break = TimeSpan.FromSeconds(10);

    public static CircuitBreakerRegistry Registry(FakeTimeProvider time, int halfOpenPermits = 1) =>
        new(new CircuitBreakerRegistryOptions
        {
            DefaultOptions = new CircuitBreakerOptions
            {
                TripPolicy = TripPolicy.ConsecutiveFailures(2),
                BreakDuration = Break,
                HalfOpenPermits = halfOpenPermits,
            },
        }, time);

    /// <summary>Runs a call that fails with <see cref="TimeoutException"/>; returns what the pipeline ended with.</summary>
    public static async Task<Exception> FailAsync(ResiliencePipeline pipeline) =>
        await Assert.ThrowsAnyAsync<Exception>(() => pipeline.ExecuteAsync(static _ => throw new TimeoutException("down")).AsTask());

    public static async Task<Exception> FailAsync<T>(ResiliencePipeline<T> pipeline) =>
        await Assert.ThrowsAnyAsync<Exception>(() => pipeline.ExecuteAsync<T>(static _ => throw new TimeoutException("down")).AsTask());

    /// <summary>Runs a call that succeeds; returns how many times the operation ran (0 or 1) and the exception, if any.</summary>
    public static async Task<(int Ran, Exception? Error)> SucceedAsync(ResiliencePipeline pipeline, CancellationToken cancellationToken = default)
    {
        int ran = 0;
        try
        {
            await pipeline.ExecuteAsync(_ => { ran++; return ValueTask.CompletedTask; }, cancellationToken);
            return (ran, null);
        }
        catch (Exception ex)
        {
            return (ran, ex);
        }
    }
}
