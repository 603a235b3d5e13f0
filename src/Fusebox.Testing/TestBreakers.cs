using System.Runtime.CompilerServices;

namespace Fusebox.Testing;

/// <summary>Creates breakers for tests: on the test's clock, with breaks whose length a test can predict.</summary>
public static class TestBreakers
{
    /// <summary>
    /// Creates a breaker on <paramref name="timeProvider"/> (a <c>FakeTimeProvider</c>, typically), named after the
    /// calling test. Unless <paramref name="configure"/> sets <see cref="CircuitBreakerOptions.JitterSource"/>, breaks
    /// are not jittered (<see cref="JitterSources.None"/>): a breaker that trips stays open for exactly its
    /// <see cref="CircuitBreakerOptions.BreakDuration"/> (grown by its backoff), even with
    /// <see cref="CircuitBreakerOptions.BreakDurationJitter"/> configured as in production.
    /// </summary>
    /// <param name="timeProvider">The clock; advance it to end breaks and age windows.</param>
    /// <param name="configure">Adjusts the options, which start from the defaults; validated when the breaker is created.</param>
    /// <param name="metrics">Where the breaker reports metrics; default <see cref="FuseboxMetrics.Shared"/>. Pass your own
    /// <see cref="FuseboxMetrics"/> to assert on them without other tests' breakers.</param>
    /// <param name="name">The breaker's name; default the calling member's name.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public static CircuitBreaker Create(TimeProvider timeProvider, Action<CircuitBreakerOptions>? configure = null,
        FuseboxMetrics? metrics = null, [CallerMemberName] string name = "test")
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        var options = new CircuitBreakerOptions();
        configure?.Invoke(options);
        options.JitterSource ??= JitterSources.None;
        return new CircuitBreaker(string.IsNullOrWhiteSpace(name) ? "test" : name, options, timeProvider, metrics);
    }
}
