namespace Fusebox.AspNetCore.Tests;

internal static class BreakerTestExtensions
{
    /// <summary>Reports <paramref name="n"/> failed calls through the permit API.</summary>
    public static void FailTimes(this CircuitBreaker breaker, int n)
    {
        for (int i = 0; i < n; i++)
        {
            Assert.True(breaker.TryAcquire(out var permit));
            permit.RecordFailure();
        }
    }

    /// <summary>Reports <paramref name="n"/> successful calls through the permit API.</summary>
    public static void SucceedTimes(this CircuitBreaker breaker, int n)
    {
        for (int i = 0; i < n; i++)
        {
            Assert.True(breaker.TryAcquire(out var permit));
            permit.RecordSuccess();
        }
    }
}
