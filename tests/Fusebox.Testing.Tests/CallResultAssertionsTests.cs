using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Testing.Tests;

public class CallResultAssertionsTests
{
    private static readonly ResilientCallerOptions NoRetries = new() { Retry = new RetryOptions { MaxAttempts = 1 } };
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task A_rejected_call_answered_by_the_fallback_passes_the_rejected_assertions_only()
    {
        var caller = new ResilientCaller(TestBreakers.Create(_time), NoRetries);
        caller.Breaker.ForceOpen(TimeSpan.FromSeconds(30));

        var result = await caller.ExecuteAsync(ct => ValueTask.FromResult("live"), Fallback<string>.Value("cached"));

        Assert.Equal("cached", result.AssertFallbackUsed());
        Assert.Equal("cached", result.AssertFallbackUsed(FallbackReason.Rejected));
        var wrongReason = Assert.Throws<BreakerAssertionException>(() => result.AssertFallbackUsed(FallbackReason.Failed));
        Assert.Equal("Expected the fallback to be used because the call was failed, but the fallback was used because the breaker rejected the call (value cached).", wrongReason.Message);
        var notOwn = Assert.Throws<BreakerAssertionException>(() => result.AssertNoFallback());
        Assert.Null(notOwn.InnerException);
    }

    [Fact]
    public async Task A_failed_call_answered_by_the_fallback_names_the_replaced_exception()
    {
        var caller = new ResilientCaller(TestBreakers.Create(_time), NoRetries);

        var result = await caller.ExecuteAsync<string>(ct => throw new TimeoutException("slow"), Fallback<string>.Value("cached"));

        Assert.Equal("cached", result.AssertFallbackUsed(FallbackReason.Failed));
        var ex = Assert.Throws<BreakerAssertionException>(() => result.AssertNoFallback());
        Assert.Equal("Expected the operation's own value, but the fallback was used because the operation failed after 1 attempt(s) with TimeoutException: slow (value cached).", ex.Message);
        Assert.IsType<TimeoutException>(ex.InnerException);
    }

    [Fact]
    public async Task The_operations_own_value_passes_AssertNoFallback_and_fails_the_fallback_assertions()
    {
        var caller = new ResilientCaller(TestBreakers.Create(_time), NoRetries);

        var result = await caller.ExecuteAsync(ct => ValueTask.FromResult("live"), Fallback<string>.Value("cached"));

        Assert.Equal("live", result.AssertNoFallback());
        var ex = Assert.Throws<BreakerAssertionException>(() => result.AssertFallbackUsed());
        Assert.Equal("Expected the fallback to be used, but the operation's own value (live) was returned after 1 attempt(s).", ex.Message);
        Assert.Throws<BreakerAssertionException>(() => result.AssertFallbackUsed(FallbackReason.Rejected));
    }

    [Fact]
    public async Task Asserting_a_fallback_for_no_reason_is_a_mistake_in_the_test()
    {
        var caller = new ResilientCaller(TestBreakers.Create(_time), NoRetries);
        var result = await caller.ExecuteAsync(ct => ValueTask.FromResult(1));

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => result.AssertFallbackUsed(FallbackReason.None));

        Assert.Equal("reason", ex.ParamName);
        Assert.Contains("use AssertNoFallback", ex.Message, StringComparison.Ordinal);
    }
}
