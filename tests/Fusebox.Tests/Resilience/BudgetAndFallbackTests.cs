using Fusebox.Tests.Support;

namespace Fusebox.Tests.Resilience;

public class BudgetAndFallbackTests
{
    [Fact]
    public async Task A_budget_limits_extra_attempts_to_its_fraction_of_calls_during_an_outage()
    {
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(1_000_000) });
        var budget = new RetryBudget(retryRatio: 0.2, minimumRetries: 5, capacity: 50);
        var retry = ResilienceTestSupport.NoJitter(attempts: 4, baseMs: 0);
        retry.Budget = budget;
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions { Retry = retry });
        var outage = new Flaky(failures: int.MaxValue);
        const int Calls = 1000;

        for (int i = 0; i < Calls; i++)
        {
            await Assert.ThrowsAsync<DependencyDownException>(() => caller.ExecuteAsync(outage.CallAsync).AsTask());
        }

        int extra = outage.Calls - Calls;
        Assert.InRange(extra, 1, (int)(0.2 * Calls) + 5);   // at most 20 % extra load (+ the 5 start-up retries)
        Assert.InRange(extra, (int)(0.2 * Calls) - 5, (int)(0.2 * Calls) + 5); // and the budget is actually used
        Assert.True(budget.Exhausted > 0);
    }

    [Fact]
    public async Task An_exhausted_budget_returns_the_last_failure_not_a_new_exception_type()
    {
        var (breaker, _) = TestBreakers.Create();
        var retry = ResilienceTestSupport.NoJitter(attempts: 5, baseMs: 0);
        retry.Budget = new RetryBudget(retryRatio: 0.1, minimumRetries: 0, capacity: 1);
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions { Retry = retry });
        var flaky = new Flaky(failures: 10, () => new DependencyDownException("the real cause"));

        var ex = await Assert.ThrowsAsync<DependencyDownException>(() => caller.ExecuteAsync(flaky.CallAsync).AsTask());

        Assert.Equal("the real cause", ex.Message);
        Assert.Equal(1, flaky.Calls);
    }

    [Fact]
    public void A_shared_budget_is_shared()
    {
        var budget = new RetryBudget(retryRatio: 0.5, minimumRetries: 1, capacity: 10);

        Assert.True(budget.TryWithdraw());
        Assert.False(budget.TryWithdraw());
        budget.Deposit();
        budget.Deposit();
        Assert.Equal(1, budget.Available, 3);
        Assert.True(budget.TryWithdraw());
        Assert.Equal(1, budget.Exhausted);
    }

    [Fact]
    public void The_budget_never_saves_more_than_its_capacity()
    {
        var budget = new RetryBudget(retryRatio: 1, minimumRetries: 2, capacity: 3);
        for (int i = 0; i < 100; i++)
        {
            budget.Deposit();
        }

        Assert.Equal(3, budget.Available, 3);
    }

    [Theory]
    [InlineData(0.0, 10, 100, "retryRatio must be in (0, 1]")]
    [InlineData(1.5, 10, 100, "retryRatio must be in (0, 1]")]
    [InlineData(0.2, -1, 100, "minimumRetries must be in [0, 1000000]")]
    [InlineData(0.2, 10, 5, "capacity must be in [minimumRetries (10), 1000000]")]
    public void Budget_arguments_are_validated(double ratio, int minimum, int capacity, string expected)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new RetryBudget(ratio, minimum, capacity));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
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

        await Assert.ThrowsAsync<BrokenCircuitException>(() => caller.ExecuteAsync(new Flaky(0).CallAsync, Fallback<int>.Value(-1, FallbackTrigger.Failed)).AsTask());
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
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions { ShouldHandleResult = r => r is 503 });
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
