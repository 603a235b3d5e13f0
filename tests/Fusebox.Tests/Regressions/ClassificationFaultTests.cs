using Fusebox.Tests.Support;

namespace Fusebox.Tests.Regressions;

/// <summary>A throwing failure predicate neither replaces the caller's exception or result nor leaks a probe slot:
/// issue 12, item 7 (the breaker's side).</summary>
public class ClassificationFaultTests
{
    private static readonly CircuitBreakerOptions ThrowingPredicates = new()
    {
        HalfOpenPermits = 1,
        ShouldHandleException = _ => throw new InvalidOperationException("a bug in ShouldHandleException"),
        ShouldHandleResult = ResultPredicate.Handle<int>(_ => throw new InvalidOperationException("a bug in ShouldHandleResult")),
    };

    [Fact]
    public async Task The_callers_exception_reaches_the_caller_and_the_probe_reports_a_failure()
    {
        var (breaker, time) = TestBreakers.Create(ThrowingPredicates);
        breaker.Trip();
        time.Advance(TimeSpan.FromSeconds(30));

        var thrown = await Assert.ThrowsAsync<DependencyDownException>(
            () => breaker.ExecuteAsync(ct => ValueTask.FromException<int>(new DependencyDownException())).AsTask());

        Assert.Equal("dependency down", thrown.Message);
        Assert.Equal(BreakerState.Open, breaker.State); // the probe counted (as a failure): its slot is not held
    }

    [Fact]
    public void The_callers_result_reaches_the_caller_and_the_probe_is_reported()
    {
        var (breaker, time) = TestBreakers.Create(ThrowingPredicates);
        breaker.Trip();
        time.Advance(TimeSpan.FromSeconds(30));

        var outcome = breaker.TryExecute(_ => 42);

        Assert.Equal(42, outcome.Value);
        Assert.Equal(BreakerState.Open, breaker.State);
    }

    [Fact]
    public void A_closed_call_with_a_throwing_predicate_counts_as_a_failure()
    {
        var (breaker, _) = TestBreakers.Create(ThrowingPredicates);

        Assert.Equal(7, breaker.Execute(_ => 7));
        Assert.Throws<DependencyDownException>(() => breaker.Execute(new Action<CancellationToken>(_ => throw new DependencyDownException())));

        var s = breaker.Snapshot();
        Assert.Equal((0, 2), (s.SuccessfulCalls, s.FailedCalls));
    }

    [Fact]
    public async Task The_async_closed_fast_path_returns_the_result_when_the_result_predicate_throws()
    {
        var (breaker, _) = TestBreakers.Create(ThrowingPredicates);

        int value = await breaker.ExecuteAsync(static (s, ct) => new ValueTask<int>(s), 5);
        var late = await breaker.TryExecuteAsync(static async (s, ct) => { await Task.Yield(); return s; }, 6);

        Assert.Equal((5, 6), (value, late.Value));
        Assert.Equal((0, 2), (breaker.Snapshot().SuccessfulCalls, breaker.Snapshot().FailedCalls));
    }
}
