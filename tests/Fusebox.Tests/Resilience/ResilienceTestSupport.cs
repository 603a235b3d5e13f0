namespace Fusebox.Tests.Resilience;

internal static class ResilienceTestSupport
{
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
