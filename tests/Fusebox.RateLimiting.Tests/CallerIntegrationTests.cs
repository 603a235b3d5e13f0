using System.Threading.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.RateLimiting.Tests;

/// <summary>The limiter inside a real <see cref="ResilientCaller"/> and breaker, on a fake clock.</summary>
public class CallerIntegrationTests
{
    [Fact]
    public async Task The_limiters_rejections_never_trip_the_breaker()
    {
        var time = new FakeTimeProvider();
        using var limiter = new AdaptiveConcurrencyLimiter(new AdaptiveConcurrencyOptions { InitialLimit = 1, MinLimit = 1, MaxLimit = 1, TimeProvider = time });
        var breaker = new CircuitBreaker("pay", new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(1) }, time, new FuseboxMetrics());
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions { Admission = limiter.ToAdmission(), Retry = new RetryOptions { MaxAttempts = 3, BaseDelay = TimeSpan.Zero } });
        var gate = new TaskCompletionSource<int>();
        var holding = caller.ExecuteAsync(_ => new ValueTask<int>(gate.Task)).AsTask();
        int sent = 0;

        for (int i = 0; i < 500; i++)
        {
            var ex = await Assert.ThrowsAsync<AdmissionRejectedException>(() => caller.ExecuteAsync(_ => new ValueTask<int>(++sent)).AsTask());
            Assert.Equal("concurrency", ex.StageName);
        }

        Assert.Equal(0, sent);
        Assert.Equal(BreakerState.Closed, breaker.State);
        Assert.Equal(0, breaker.Snapshot().FailedCalls);
        Assert.Equal(500, limiter.GetStatistics()!.TotalFailedLeases);

        gate.SetResult(1);
        Assert.Equal(1, (await holding).Value);
        Assert.Equal(0, limiter.InFlight);
        Assert.Equal(2, (await caller.ExecuteAsync(_ => new ValueTask<int>(2))).Value); // the slot came back
    }

    [Fact]
    public async Task A_timed_out_attempt_is_a_drop_for_aimd_and_a_cancelled_one_is_no_sample()
    {
        var time = new FakeTimeProvider();
        using var limiter = new AdaptiveConcurrencyLimiter(new AdaptiveConcurrencyOptions { Algorithm = ConcurrencyAlgorithm.Aimd, InitialLimit = 40, TimeProvider = time });
        var breaker = new CircuitBreaker("pay", new CircuitBreakerOptions(), time, new FuseboxMetrics());
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions
        {
            Admission = limiter.ToAdmission(),
            Retry = new RetryOptions { MaxAttempts = 1 },
            Timeout = new TimeoutOptions { AttemptTimeout = TimeSpan.FromSeconds(1) },
        });

        var timingOut = caller.ExecuteAsync(ct => HangAsync(time, ct)).AsTask();
        time.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<CallTimeoutException>(() => timingOut);
        Assert.Equal(36, limiter.CurrentLimit); // ⌊40 × 0.9⌋

        using var cts = new CancellationTokenSource();
        var cancelled = caller.ExecuteAsync(ct => HangAsync(time, ct), cancellationToken: cts.Token).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(36, limiter.CurrentLimit);
        Assert.Equal(0, limiter.InFlight);
    }

    [Fact]
    public async Task Any_rate_limiter_plugs_in_and_its_retry_after_reaches_the_rejection()
    {
        using var limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = 1, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromMinutes(1), AutoReplenishment = false, QueueLimit = 0,
        });
        var caller = new ResilientCaller(new CircuitBreaker("pay", new CircuitBreakerOptions(), new FakeTimeProvider(), new FuseboxMetrics()),
            new ResilientCallerOptions { Admission = limiter.ToAdmission("token-bucket") });

        Assert.Equal(1, (await caller.ExecuteAsync(_ => new ValueTask<int>(1))).Value);
        var ex = await Assert.ThrowsAsync<AdmissionRejectedException>(() => caller.ExecuteAsync(_ => new ValueTask<int>(2)).AsTask());

        Assert.Equal("token-bucket", ex.StageName);
        Assert.Equal(TimeSpan.FromMinutes(1), ex.RetryAfter);
    }

    [Fact]
    public void The_stage_refuses_a_null_limiter_and_an_empty_name()
    {
        Assert.Throws<ArgumentNullException>(() => ((RateLimiter)null!).ToAdmission());
        using var limiter = new AdaptiveConcurrencyLimiter(new AdaptiveConcurrencyOptions());
        Assert.Throws<ArgumentException>(() => limiter.ToAdmission(""));
    }

    private static async ValueTask<int> HangAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken);
        return 0;
    }
}
