using Fusebox.Tests.Support;

namespace Fusebox.Tests.Resilience;

public class ResilienceOptionsTests
{
    public static TheoryData<Action<ResilientCallerOptions>, string> Invalid => new()
    {
        { o => o.Retry.MaxAttempts = 0, "RetryOptions.MaxAttempts must be in [1, 100] (was 0)" },
        { o => o.Retry.MaxAttempts = 101, "RetryOptions.MaxAttempts must be in [1, 100] (was 101)" },
        { o => o.Retry.BaseDelay = TimeSpan.FromSeconds(-1), "RetryOptions.BaseDelay must be in [00:00:00, 1.00:00:00]" },
        { o => o.Retry.MaxDelay = TimeSpan.FromMilliseconds(50), "RetryOptions.MaxDelay must be in [BaseDelay (00:00:00.2000000), 1.00:00:00]" },
        { o => o.Retry.MaxDelay = TimeSpan.FromDays(2), "RetryOptions.MaxDelay must be in [BaseDelay" },
        { o => o.Retry.Backoff = (BackoffKind)9, "RetryOptions.Backoff must be Constant, Linear or Exponential" },
        { o => o.Retry.Jitter = (JitterKind)9, "RetryOptions.Jitter must be None, Full or Decorrelated" },
        { o => o.Timeout.AttemptTimeout = TimeSpan.Zero, "TimeoutOptions.AttemptTimeout must be greater than zero" },
        { o => o.Timeout.OverallTimeout = TimeSpan.FromSeconds(-5), "TimeoutOptions.OverallTimeout must be greater than zero" },
        { o => o.Timeout.OverallTimeout = TimeSpan.FromDays(3), "TimeoutOptions.OverallTimeout must be greater than zero and at most 1.00:00:00" },
        { o => o.Retry = null!, "ResilientCallerOptions.Retry" },
        { o => o.Timeout = null!, "ResilientCallerOptions.Timeout" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_options_fail_at_construction_with_the_option_and_range(Action<ResilientCallerOptions> corrupt, string expected)
    {
        var options = new ResilientCallerOptions();
        corrupt(options);

        var ex = Assert.ThrowsAny<ArgumentException>(() => new ResilientCaller(TestBreakers.Create().Breaker, options));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_are_three_attempts_exponential_with_full_jitter_and_no_timeouts()
    {
        var o = new ResilientCallerOptions();

        Assert.Equal((3, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), BackoffKind.Exponential, JitterKind.Full),
            (o.Retry.MaxAttempts, o.Retry.BaseDelay, o.Retry.MaxDelay, o.Retry.Backoff, o.Retry.Jitter));
        Assert.Null(o.Timeout.AttemptTimeout);
        Assert.Null(o.Timeout.OverallTimeout);
    }

    [Fact]
    public async Task Options_are_copied_at_construction()
    {
        var (breaker, _) = TestBreakers.Create();
        var options = new ResilientCallerOptions { Retry = ResilienceTestSupport.NoJitter(attempts: 1) };
        var caller = new ResilientCaller(breaker, options);
        options.Retry.MaxAttempts = 50;
        var flaky = new Flaky(5);

        await Assert.ThrowsAsync<DependencyDownException>(() => caller.ExecuteAsync(flaky.CallAsync).AsTask());

        Assert.Equal(1, flaky.Calls);
    }

    [Fact]
    public void A_null_breaker_is_rejected()
    {
        Assert.Throws<ArgumentNullException>(() => new ResilientCaller(null!));
    }
}
