using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Tests.Resilience;

internal static class ResilienceTestSupport
{
    /// <summary>Advances the fake clock in small steps until <paramref name="task"/> completes (bounded: 10,000 steps).</summary>
    public static async Task<T> DriveAsync<T>(this FakeTimeProvider time, Task<T> task, TimeSpan? step = null)
    {
        for (int i = 0; i < 10_000 && !task.IsCompleted; i++)
        {
            time.Advance(step ?? TimeSpan.FromMilliseconds(50));
            await Task.Delay(1);
        }

        Assert.True(task.IsCompleted, "the call did not complete while the fake clock advanced");
        return await task;
    }

    public static Task<T> DriveAsync<T>(this FakeTimeProvider time, ValueTask<T> task, TimeSpan? step = null) => time.DriveAsync(task.AsTask(), step);

    public static RetryOptions NoJitter(int attempts = 3, double baseMs = 100) => new()
    {
        MaxAttempts = attempts,
        BaseDelay = TimeSpan.FromMilliseconds(baseMs),
        MaxDelay = TimeSpan.FromMilliseconds(Math.Max(10_000, baseMs)),
        Jitter = JitterKind.None,
    };
}

/// <summary>A scripted dependency: fails the first N calls, counting every call.</summary>
internal sealed class Flaky(int failures, Func<Exception>? error = null)
{
    private int _calls;

    public int Calls => _calls;

    public ValueTask<int> CallAsync(CancellationToken cancellationToken)
    {
        int n = Interlocked.Increment(ref _calls);
        return n <= failures ? ValueTask.FromException<int>(error?.Invoke() ?? new Support.DependencyDownException()) : new ValueTask<int>(n);
    }
}
