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
}
