using Fusebox.Tests.Resilience;
using Fusebox.Tests.Support;
using static Fusebox.FuseboxTracing;

namespace Fusebox.Tests.Tracing;

/// <summary>The resilient caller's retries and fallbacks as span events on the caller's current activity.</summary>
[Collection(nameof(TracingCollection))]
public class ResilienceTracingTests
{
    [Fact]
    public async Task Each_retry_is_an_event_with_the_failed_attempt_its_delay_and_the_error_type()
    {
        using var listener = new TracingListener();
        var time = new SteppingTimeProvider();
        var start = time.GetUtcNow();
        var breaker = new CircuitBreaker("fraud", new CircuitBreakerOptions(), time, new FuseboxMetrics());
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions { Retry = ResilienceTestSupport.NoJitter(attempts: 3, baseMs: 100) });
        var dependency = new Flaky(failures: 2);
        using var call = TracingListener.StartCall()!;

        var result = await time.DriveAsync(caller.ExecuteAsync(dependency.CallAsync));

        Assert.Equal(3, result.Attempts);
        var retries = call.Events.Where(e => e.Name == RetryEventName).ToArray();
        Assert.Equal([1, 2], retries.Select(e => (int)e.Tag(RetryAttemptTag)!));
        Assert.Equal([0.1, 0.2], retries.Select(e => (double)e.Tag(RetryDelayTag)!));
        Assert.All(retries, e => Assert.Equal("fraud", e.Tag(BreakerNameTag)));
        Assert.All(retries, e => Assert.Equal(typeof(DependencyDownException).FullName, e.Tag(ErrorTypeTag)));
        Assert.Equal([start, start.AddMilliseconds(100)], retries.Select(e => e.Timestamp)); // the breaker's clock
    }

    [Fact]
    public async Task A_retried_result_has_no_error_type()
    {
        using var listener = new TracingListener();
        var breaker = new CircuitBreaker("fraud", new CircuitBreakerOptions(), TimeProvider.System, new FuseboxMetrics());
        var retry = ResilienceTestSupport.NoJitter(attempts: 2, baseMs: 0);
        retry.ShouldRetryResult = ResultPredicate.Handle<int>(static r => r < 0);
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions { Retry = retry });
        int calls = 0;
        using var call = TracingListener.StartCall()!;

        await caller.ExecuteAsync(_ => new ValueTask<int>(++calls == 1 ? -1 : 1));

        var retryEvent = call.Single(RetryEventName);
        Assert.Equal(1, retryEvent.Tag(RetryAttemptTag));
        Assert.False(retryEvent.HasTag(ErrorTypeTag));
    }

    [Fact]
    public async Task A_fallback_for_a_rejection_follows_the_rejection_event()
    {
        using var listener = new TracingListener();
        var breaker = new CircuitBreaker("fraud", new CircuitBreakerOptions(), TimeProvider.System, new FuseboxMetrics());
        breaker.Isolate();
        var caller = new ResilientCaller(breaker);
        using var call = TracingListener.StartCall()!;

        var result = await caller.ExecuteAsync(static _ => new ValueTask<bool>(false), Fallback<bool>.Value(true));

        Assert.True(result.UsedFallback);
        Assert.Equal([RejectedEventName, FallbackEventName], call.Events.Select(e => e.Name));
        var fallback = call.Single(FallbackEventName);
        Assert.Equal("fraud", fallback.Tag(BreakerNameTag));
        Assert.Equal("rejected", fallback.Tag(FallbackReasonTag));
        Assert.False(fallback.HasTag(ErrorTypeTag));
    }

    [Fact]
    public async Task A_fallback_for_a_failure_names_the_exception_it_replaced()
    {
        using var listener = new TracingListener();
        var breaker = new CircuitBreaker("fraud", new CircuitBreakerOptions(), TimeProvider.System, new FuseboxMetrics());
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions { Retry = ResilienceTestSupport.NoJitter(attempts: 1) });
        using var call = TracingListener.StartCall()!;

        var result = await caller.ExecuteAsync(new Flaky(failures: 1).CallAsync, Fallback<int>.Value(-1));

        Assert.Equal(-1, result.Value);
        var fallback = call.Single(FallbackEventName);
        Assert.Equal("failed", fallback.Tag(FallbackReasonTag));
        Assert.Equal(typeof(DependencyDownException).FullName, fallback.Tag(ErrorTypeTag));
    }
}
