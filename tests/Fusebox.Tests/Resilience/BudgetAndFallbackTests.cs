using Fusebox.Tests.Support;

namespace Fusebox.Tests.Resilience;

public class BudgetAndFallbackTests
{
    [Fact]
    public async Task A_budget_limits_extra_attempts_to_its_fraction_of_calls_during_an_outage()
    {
        var (breaker, time) = TestBreakers.Create(new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(1_000_000) });
        var budget = new RetryBudget(retryRatio: 0.2, minimumRetriesPerSecond: 1, timeToLive: TimeSpan.FromSeconds(5), timeProvider: time);
        var retry = ResilienceTestSupport.NoJitter(attempts: 4, baseMs: 0);
        retry.Budget = budget;
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions { Retry = retry });
        var outage = new Flaky(failures: int.MaxValue);
        const int Calls = 1000;

        for (int i = 0; i < Calls; i++)
        {
            await Assert.ThrowsAsync<DependencyDownException>(() => caller.ExecuteAsync(outage.CallAsync).AsTask());
        }

        // Demand (3 retries a call) always exceeds the budget, so it is spent exactly: 20 % of the calls plus the
        // floor of 1 retry a second for the 5 s time-to-live (the fake clock does not move, so nothing expires).
        Assert.Equal((int)(0.2 * Calls) + 5, outage.Calls - Calls);
        Assert.Equal(0, budget.Available);
        Assert.True(budget.Exhausted > 0);
    }

    [Fact]
    public async Task An_exhausted_budget_returns_the_last_failure_not_a_new_exception_type()
    {
        var (breaker, time) = TestBreakers.Create();
        var retry = ResilienceTestSupport.NoJitter(attempts: 5, baseMs: 0);
        retry.Budget = new RetryBudget(retryRatio: 0.1, minimumRetriesPerSecond: 0, timeProvider: time);
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions { Retry = retry });
        var flaky = new Flaky(failures: 10, () => new DependencyDownException("the real cause"));

        var ex = await Assert.ThrowsAsync<DependencyDownException>(() => caller.ExecuteAsync(flaky.CallAsync).AsTask());

        Assert.Equal("the real cause", ex.Message);
        Assert.Equal(1, flaky.Calls);
    }

    [Fact]
    public void A_shared_budget_is_shared()
    {
        var budget = new RetryBudget(retryRatio: 0.5, minimumRetriesPerSecond: 1, timeToLive: TimeSpan.FromSeconds(1), timeProvider: new Microsoft.Extensions.Time.Testing.FakeTimeProvider());

        Assert.True(budget.TryWithdraw());
        Assert.False(budget.TryWithdraw());
        budget.Deposit();
        budget.Deposit();
        Assert.Equal(1, budget.Available);
        Assert.True(budget.TryWithdraw());
        Assert.Equal(1, budget.Exhausted);
    }

    [Fact]
    public async Task The_seeds_fallback_allows_and_flags_when_the_breaker_is_open()
    {
        var (breaker, _) = TestBreakers.Create();
        breaker.Trip();
        var caller = new ResilientCaller(breaker);
        var allowAndFlag = Fallback<bool>.Value(true, FallbackTrigger.Rejected);
        var flaky = new Flaky(0);

        var result = await caller.ExecuteAsync(ct => new ValueTask<bool>(flaky.CallAsync(ct).Result > 0), allowAndFlag);

        Assert.True(result.Value);
        Assert.True(result.UsedFallback);
        Assert.Equal(FallbackReason.Rejected, result.FallbackReason);
        Assert.Equal(0, result.Attempts);
        Assert.Equal(0, flaky.Calls);
    }

    [Fact]
    public async Task A_fallback_on_final_failure_keeps_the_replaced_exception()
    {
        var (breaker, _) = TestBreakers.Create();
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions { Retry = ResilienceTestSupport.NoJitter(attempts: 2, baseMs: 0) });
        var flaky = new Flaky(failures: 5);

        var result = await caller.ExecuteAsync(flaky.CallAsync, Fallback<int>.Value(-1, FallbackTrigger.Failed));

        Assert.Equal(-1, result.Value);
        Assert.Equal(FallbackReason.Failed, result.FallbackReason);
        Assert.Equal(2, result.Attempts);
        Assert.IsType<DependencyDownException>(result.ReplacedException);
        Assert.Equal(1, breaker.Snapshot().FailedCalls); // the failure still counts for the breaker
    }

    [Fact]
    public async Task A_rejection_only_fallback_does_not_hide_failures()
    {
        var (breaker, _) = TestBreakers.Create();
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions { Retry = ResilienceTestSupport.NoJitter(attempts: 1) });

        await Assert.ThrowsAsync<DependencyDownException>(() => caller.ExecuteAsync(new Flaky(1).CallAsync, Fallback<int>.Value(-1, FallbackTrigger.Rejected)).AsTask());
    }

    [Fact]
    public async Task A_failure_only_fallback_does_not_hide_rejections()
    {
        var (breaker, _) = TestBreakers.Create();
        breaker.Isolate();
        var caller = new ResilientCaller(breaker);

        await Assert.ThrowsAsync<CircuitOpenException>(() => caller.ExecuteAsync(new Flaky(0).CallAsync, Fallback<int>.Value(-1, FallbackTrigger.Failed)).AsTask());
    }

    [Fact]
    public async Task A_fallback_function_sees_why()
    {
        var (breaker, _) = TestBreakers.Create();
        breaker.Trip();
        var caller = new ResilientCaller(breaker);
        var fallback = Fallback<string>.From((c, ct) => new ValueTask<string>($"{c.Reason} retry in {c.RetryAfter?.TotalSeconds} s"));

        var result = await caller.ExecuteAsync(ct => new ValueTask<string>("live"), fallback);

        Assert.Equal("Rejected retry in 30 s", result.Value);
    }

    [Fact]
    public async Task A_failing_final_result_uses_the_fallback()
    {
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions { ShouldHandleResult = ResultPredicate.Handle<int>(static r => r == 503) });
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions { Retry = ResilienceTestSupport.NoJitter(attempts: 1) });

        var result = await caller.ExecuteAsync(ct => new ValueTask<int>(503), Fallback<int>.Value(200));

        Assert.Equal(200, result.Value);
        Assert.Equal(FallbackReason.Failed, result.FallbackReason);
        Assert.Null(result.ReplacedException);
    }

    [Fact]
    public async Task No_fallback_when_the_call_succeeds()
    {
        var (breaker, _) = TestBreakers.Create();
        var caller = new ResilientCaller(breaker);
        int fallbackCalls = 0;

        var result = await caller.ExecuteAsync(ct => new ValueTask<int>(1), Fallback<int>.From((c, ct) => new ValueTask<int>(++fallbackCalls)));

        Assert.Equal(1, result.Value);
        Assert.False(result.UsedFallback);
        Assert.Equal(0, fallbackCalls);
    }

    [Fact]
    public void A_fallback_needs_a_trigger()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Fallback<int>.Value(1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Fallback<int>.Value(1, (FallbackTrigger)8));
        Assert.Throws<ArgumentNullException>(() => Fallback<int>.From(null!));
    }
}
