using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Tests.Resilience;

/// <summary>How a <see cref="ResilientCaller"/> reports a failing result to its breaker: the breaker's overload
/// predicate is heard as an overload, and a result the caller's own predicate fails is kept as the last failure.</summary>
public class CallerResultReportTests
{
    private static readonly ResultPredicate s_tooManyRequests = ResultPredicate.Handle<HttpResponseMessage>(r => r.StatusCode == HttpStatusCode.TooManyRequests);

    [Fact]
    public async Task A_result_the_breakers_throttling_calls_an_overload_is_a_failure_and_not_accepted()
    {
        var breaker = new CircuitBreaker("api", new CircuitBreakerOptions
        {
            TripPolicy = TripPolicy.ConsecutiveFailures(2),
            AdaptiveThrottling = new AdaptiveThrottlingOptions { IsOverloadResult = s_tooManyRequests, NotAccepted = ThrottlingSignal.Overload, RandomSource = () => 0.999 },
        }, new FakeTimeProvider(), new FuseboxMetrics());
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions { Retry = new RetryOptions { MaxAttempts = 1 } });

        var result = await caller.ExecuteAsync(_ => new ValueTask<HttpResponseMessage>(new HttpResponseMessage(HttpStatusCode.TooManyRequests)),
            Fallback<HttpResponseMessage>.Value(new HttpResponseMessage(HttpStatusCode.Accepted), FallbackTrigger.Failed));

        // Before: the caller released the permit unreported (an ignored call), so neither the trip policy nor the
        // throttling window heard of the 429, and the failure fallback did not run.
        var snapshot = breaker.Snapshot();
        Assert.Equal(FallbackReason.Failed, result.FallbackReason);
        Assert.Equal(1, snapshot.FailedCalls);
        Assert.Equal(0, snapshot.IgnoredCalls);
        Assert.True(snapshot.ThrottleProbability > 0, $"p = {snapshot.ThrottleProbability}: the overload reached the window as not accepted");
    }

    [Fact]
    public async Task A_result_the_callers_own_predicate_fails_is_kept_as_the_last_failure()
    {
        var time = new FakeTimeProvider();
        var breaker = new CircuitBreaker("api", new CircuitBreakerOptions { CollectStatistics = true }, time, new FuseboxMetrics());
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions
        {
            Retry = new RetryOptions { MaxAttempts = 1 },
            ShouldHandleResult = ResultPredicate.Handle<HttpResponseMessage>(r => (int)r.StatusCode >= 500),
        });
        using var unavailable = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);

        await caller.ExecuteAsync(_ => new ValueTask<HttpResponseMessage>(unavailable));

        // Before: recorded as a failure without its result, so the dashboard's last failure was empty.
        Assert.Equal(new FailureRecord(time.GetUtcNow(), FailureKind.Result, "HTTP 503", "Service Unavailable"), breaker.Snapshot().Statistics!.LastFailure);
    }

    [Theory]
    [InlineData(false, 0.0)]
    [InlineData(true, 0.5)]
    public async Task A_failing_result_the_callers_overload_predicate_matches_reaches_the_breaker_as_an_overload(bool withPredicate, double p)
    {
        var breaker = OverloadOnlyThrottling();
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions
        {
            Retry = new RetryOptions { MaxAttempts = 1 },
            ShouldHandleResult = ResultPredicate.Handle<HttpResponseMessage>(r => (int)r.StatusCode >= 429),
            IsOverloadResult = withPredicate ? s_tooManyRequests : null,
        });
        using var busy = new HttpResponseMessage(HttpStatusCode.TooManyRequests);

        await caller.ExecuteAsync(_ => new ValueTask<HttpResponseMessage>(busy));

        // One request, not accepted only when it was heard as an overload: p = (1 − 2·0) / 2.
        Assert.Equal(1, breaker.Snapshot().FailedCalls);
        Assert.Equal(p, breaker.Snapshot().ThrottleProbability);
    }

    [Fact]
    public async Task A_success_the_overload_predicate_matches_stays_a_success()
    {
        var breaker = OverloadOnlyThrottling();
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions { Retry = new RetryOptions { MaxAttempts = 1 }, IsOverloadResult = s_tooManyRequests });
        using var busy = new HttpResponseMessage(HttpStatusCode.TooManyRequests);

        var result = await caller.ExecuteAsync(_ => new ValueTask<HttpResponseMessage>(busy));

        Assert.Equal(FallbackReason.None, result.FallbackReason);
        Assert.Equal((1, 0), (breaker.Snapshot().SuccessfulCalls, breaker.Snapshot().FailedCalls));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_exception_the_overload_predicate_matches_reaches_the_breaker_as_an_overload(bool hedged)
    {
        var breaker = OverloadOnlyThrottling();
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions
        {
            Retry = new RetryOptions { MaxAttempts = 1 },
            Hedging = hedged ? new HedgingOptions { Delay = TimeSpan.FromSeconds(1), MaxHedgedAttempts = 1 } : null,
            IsOverloadException = ex => ex is InsufficientExecutionStackException,
        });

        await Assert.ThrowsAsync<InsufficientExecutionStackException>(() => caller.ExecuteAsync<int>(_ => throw new InsufficientExecutionStackException()).AsTask());

        // A failed first attempt sends the hedge at once, and each attempt reports its own permit: n requests, none
        // accepted, p = n / (n + 1).
        int attempts = hedged ? 2 : 1;
        Assert.Equal(attempts, breaker.Snapshot().FailedCalls);
        Assert.Equal((double)attempts / (attempts + 1), breaker.Snapshot().ThrottleProbability);
    }

    private static CircuitBreaker OverloadOnlyThrottling() => new("api", new CircuitBreakerOptions
    {
        TripPolicy = TripPolicy.ConsecutiveFailures(100),
        AdaptiveThrottling = new AdaptiveThrottlingOptions { NotAccepted = ThrottlingSignal.Overload, RandomSource = () => 0.999 },
    }, new FakeTimeProvider(), new FuseboxMetrics());
}
