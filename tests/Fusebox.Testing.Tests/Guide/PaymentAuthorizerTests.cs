// docs/testing.md, "Code that uses a ResilientCaller; asserting that the fallback was used" shows this file.

using Fusebox;
using Fusebox.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Testing.Tests.Guide;

// The code under test asks a fraud service whether to approve a payment; while the breaker rejects calls it
// approves the payment and flags it for manual review.
public sealed record Decision(bool Approved, bool NeedsReview);

public sealed class PaymentAuthorizer(ResilientCaller fraudService, Func<decimal, CancellationToken, Task<bool>> isLegitimate)
{
    private static readonly Fallback<bool> ApproveWhenOpen = Fallback<bool>.Value(true, FallbackTrigger.Rejected);

    public async Task<Decision> AuthorizeAsync(decimal amount, CancellationToken cancellationToken = default)
    {
        var result = await fraudService.ExecuteAsync(ct => isLegitimate(amount, ct), ApproveWhenOpen, cancellationToken);
        return new Decision(result.Value, NeedsReview: result.UsedFallback);
    }
}

public class PaymentAuthorizerTests
{
    [Fact]
    public async Task Approves_and_flags_for_review_while_the_fraud_service_breaker_is_open()
    {
        var time = new FakeTimeProvider();
        var caller = new ResilientCaller(TestBreakers.Create(time));
        bool asked = false;
        var authorizer = new PaymentAuthorizer(caller, (amount, ct) => { asked = true; return Task.FromResult(false); });

        caller.Breaker.ForceOpen(TimeSpan.FromSeconds(30));
        var decision = await authorizer.AuthorizeAsync(120m);

        Assert.Equal(new Decision(Approved: true, NeedsReview: true), decision);
        Assert.False(asked);
    }

    [Fact]
    public async Task The_fallback_is_used_for_rejections_only()
    {
        var time = new FakeTimeProvider();
        var caller = new ResilientCaller(TestBreakers.Create(time));

        caller.Breaker.ForceOpen(TimeSpan.FromSeconds(30));
        var rejected = await caller.ExecuteAsync(ct => Task.FromResult(false), Fallback<bool>.Value(true, FallbackTrigger.Rejected));
        Assert.True(rejected.AssertFallbackUsed(FallbackReason.Rejected));

        caller.Breaker.ForceClosed();
        var answered = await caller.ExecuteAsync(ct => Task.FromResult(false), Fallback<bool>.Value(true, FallbackTrigger.Rejected));
        Assert.False(answered.AssertNoFallback());
    }

    [Fact]
    public async Task Retries_wait_on_the_fake_clock()
    {
        var time = new FakeTimeProvider();
        var caller = new ResilientCaller(TestBreakers.Create(time), new ResilientCallerOptions
        {
            Retry = new RetryOptions { MaxAttempts = 3, BaseDelay = TimeSpan.FromSeconds(1), Jitter = JitterKind.None },
        });
        int attempts = 0;

        var call = caller.ExecuteAsync<bool>(ct => ++attempts < 3 ? throw new TimeoutException() : Task.FromResult(true)).AsTask();
        Assert.Equal(1, attempts);
        time.Advance(TimeSpan.FromSeconds(1));  // the first back-off: 1 s
        Assert.Equal(2, attempts);
        time.Advance(TimeSpan.FromSeconds(2));  // the second: 2 s (exponential)

        var result = await call;
        Assert.True(result.AssertNoFallback());
        Assert.Equal(3, result.Attempts);
    }
}
