using Fusebox.Tests.Support;

namespace Fusebox.Tests.Resilience;

/// <summary>
/// A user callback that throws never leaks the permit and never replaces the operation's own outcome: a throwing
/// retry callback ends the sequence at the attempt that just failed, a throwing result predicate says "no", and a
/// throwing fallback factory is the substitute's outcome (docs/resilience.md, "When your callbacks throw").
/// </summary>
public class ThrowingCallbackTests
{
    private static Exception CallbackBug() => new InvalidOperationException("bug in a callback");

    private static (ResilientCaller Caller, CircuitBreaker Breaker) Create(Action<RetryOptions> configure, ResultPredicate? shouldHandleResult = null,
        CircuitBreakerOptions? breakerOptions = null)
    {
        var retry = ResilienceTestSupport.NoJitter(attempts: 3, baseMs: 0);
        configure(retry);
        var breaker = TestBreakers.Create(new SteppingTimeProvider(), breakerOptions);
        return (new ResilientCaller(breaker, new ResilientCallerOptions { Retry = retry, ShouldHandleResult = shouldHandleResult }), breaker);
    }

    public static TheoryData<string> RetryCallbacks => [nameof(RetryOptions.ShouldRetryException), nameof(RetryOptions.DelayHint), nameof(RetryOptions.OnRetry)];

    [Theory]
    [MemberData(nameof(RetryCallbacks))]
    public async Task A_throwing_retry_callback_ends_the_sequence_with_the_operations_exception_and_reports_the_permit(string callback)
    {
        var (caller, breaker) = Create(retry =>
        {
            switch (callback)
            {
                case nameof(RetryOptions.ShouldRetryException): retry.ShouldRetryException = _ => throw CallbackBug(); break;
                case nameof(RetryOptions.DelayHint): retry.DelayHint = _ => throw CallbackBug(); break;
                default: retry.OnRetry = _ => throw CallbackBug(); break;
            }
        });
        var flaky = new Flaky(failures: 10, () => new DependencyDownException("the operation's own"));

        var ex = await Assert.ThrowsAsync<DependencyDownException>(() => caller.ExecuteAsync(flaky.CallAsync).AsTask());

        Assert.Equal("the operation's own", ex.Message);
        Assert.Equal(1, flaky.Calls);
        var s = breaker.Snapshot();
        Assert.Equal(1, s.FailedCalls);
        Assert.Equal(1, s.TotalCalls);
    }

    [Fact]
    public async Task A_throwing_ShouldRetryResult_returns_the_result_and_reports_the_permit()
    {
        var (caller, breaker) = Create(retry => retry.ShouldRetryResult = ResultPredicate.Handle<int>(_ => throw CallbackBug()));
        int calls = 0;

        var result = await caller.ExecuteAsync(ct => new ValueTask<int>(++calls == 1 ? 503 : 200));

        Assert.Equal(503, result.Value);
        Assert.Equal(1, calls);
        var s = breaker.Snapshot();
        Assert.Equal(1, s.SuccessfulCalls); // the predicate could not say "failure"; the breaker's own rules found none
        Assert.Equal(1, s.TotalCalls);
    }

    [Fact]
    public async Task A_throwing_ShouldHandleResult_on_a_probe_reports_the_probe_and_frees_half_open()
    {
        var (caller, breaker) = Create(_ => { }, shouldHandleResult: ResultPredicate.Handle<int>(_ => throw CallbackBug()),
            new CircuitBreakerOptions { HalfOpenPermits = 1, BreakDuration = TimeSpan.FromSeconds(30) });
        breaker.Trip();
        ((SteppingTimeProvider)breaker.TimeProvider).Advance(TimeSpan.FromSeconds(30));

        var thrown = await Record.ExceptionAsync(() => caller.ExecuteAsync(static ct => new ValueTask<int>(200)).AsTask());

        Assert.Equal(BreakerState.Open, breaker.State); // the probe was reported (a failure), not left holding its slot
        Assert.Null(thrown);
    }

    [Fact]
    public async Task A_throwing_ShouldHandleResult_in_closed_state_counts_the_call_once()
    {
        var (caller, breaker) = Create(_ => { }, shouldHandleResult: ResultPredicate.Handle<int>(_ => throw CallbackBug()));

        var result = await caller.ExecuteAsync(static ct => new ValueTask<int>(200));

        Assert.Equal(200, result.Value);
        Assert.Equal((0, 1), (breaker.Snapshot().SuccessfulCalls, breaker.Snapshot().FailedCalls));
    }

    [Fact]
    public async Task A_throwing_fallback_factory_propagates_after_the_probe_failure_was_recorded()
    {
        var (caller, breaker) = Create(_ => { }, breakerOptions: new CircuitBreakerOptions { HalfOpenPermits = 1, BreakDuration = TimeSpan.FromSeconds(30) });
        breaker.Trip();
        ((SteppingTimeProvider)breaker.TimeProvider).Advance(TimeSpan.FromSeconds(30));
        Exception? seenByFactory = null;
        var fallback = Fallback<int>.From((context, ct) =>
        {
            seenByFactory = context.Exception;
            throw new InvalidOperationException("fallback failed");
        });

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => caller.ExecuteAsync(new Flaky(failures: 1).CallAsync, fallback).AsTask());

        Assert.Equal("fallback failed", ex.Message);
        Assert.IsType<DependencyDownException>(seenByFactory); // the factory is handed the operation's exception
        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.Equal(TransitionReason.ProbeFailed, breaker.Snapshot().LastReason);
    }
}
