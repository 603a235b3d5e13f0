using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Tests.Support;

/// <summary>Builds breakers on a fake clock with a private metrics instance, so tests never share state or real time.</summary>
internal static class TestBreakers
{
    public static (CircuitBreaker Breaker, FakeTimeProvider Time) Create(CircuitBreakerOptions? options = null, string name = "test")
    {
        var time = new FakeTimeProvider();
        return (new CircuitBreaker(name, options ?? new CircuitBreakerOptions(), time, new FuseboxMetrics()), time);
    }

    public static CircuitBreaker Create(FakeTimeProvider time, CircuitBreakerOptions? options = null, string name = "test") =>
        new(name, options ?? new CircuitBreakerOptions(), time, new FuseboxMetrics());

    /// <summary>Reports one failed call through the permit API; asserts that it was admitted.</summary>
    public static void Fail(this CircuitBreaker breaker)
    {
        Assert.True(breaker.TryAcquire(out var permit), $"expected a permit from {breaker.State}");
        permit.RecordFailure();
    }

    /// <summary>Reports one successful call through the permit API; asserts that it was admitted.</summary>
    public static void Succeed(this CircuitBreaker breaker)
    {
        Assert.True(breaker.TryAcquire(out var permit), $"expected a permit from {breaker.State}");
        permit.RecordSuccess();
    }

    public static void FailTimes(this CircuitBreaker breaker, int n)
    {
        for (int i = 0; i < n; i++)
        {
            breaker.Fail();
        }
    }

    /// <summary>Opens a breaker with the default consecutive policy.</summary>
    public static void Trip(this CircuitBreaker breaker)
    {
        for (int i = 0; i < 1000 && breaker.State != BreakerState.Open; i++)
        {
            breaker.Fail();
        }

        Assert.Equal(BreakerState.Open, breaker.State);
    }
}

/// <summary>An exception type owned by the tests, so no library exception can be mistaken for it.</summary>
internal sealed class DependencyDownException(string message = "dependency down") : Exception(message);
