using Fusebox.Tests.Support;

namespace Fusebox.Tests.Resilience;

public class TimeoutAndCancellationTests
{
    private static (ResilientCaller Caller, CircuitBreaker Breaker, SteppingTimeProvider Time) Create(RetryOptions retry, TimeoutOptions timeout)
    {
        var time = new SteppingTimeProvider();
        var b = TestBreakers.Create(time);
        return (new ResilientCaller(b, new ResilientCallerOptions { Retry = retry, Timeout = timeout }), b, time);
    }

    /// <summary>Hangs until its token is cancelled, as a well-behaved I/O call to a dead host does.</summary>
    private static async ValueTask<int> HangAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return 0;
    }

    [Fact]
    public async Task An_attempt_timeout_fires_on_a_hung_operation()
    {
        // An hour: no system-clock timer can fire during the test, so only the fake clock can end this call.
        var limit = TimeSpan.FromHours(1);
        var (caller, breaker, time) = Create(ResilienceTestSupport.NoJitter(attempts: 1), new TimeoutOptions { AttemptTimeout = limit });
        CancellationToken attemptToken = default;

        // ExecuteAsync runs synchronously up to the operation's first await, so the attempt's token is captured here.
        var call = caller.ExecuteAsync(ct => { attemptToken = ct; return HangAsync(ct); }).AsTask();
        Assert.True(attemptToken.CanBeCanceled);
        time.Advance(limit - TimeSpan.FromMilliseconds(1));
        Assert.False(attemptToken.IsCancellationRequested); // fake timers fire inside Advance: not due yet
        Assert.False(call.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(attemptToken.IsCancellationRequested); // fired inside this Advance, on the fake clock

        var ex = await Assert.ThrowsAsync<CallTimeoutException>(() => call.WaitAsync(TimeSpan.FromSeconds(30))); // a bound for a stuck test only
        Assert.Equal(limit, ex.Timeout);
        Assert.Contains("3600000 ms", ex.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<OperationCanceledException>(ex.InnerException);
        Assert.Equal(1, breaker.Snapshot().FailedCalls);
    }

    [Fact]
    public async Task A_call_that_ends_at_its_deadline_cannot_time_out_the_next_call()
    {
        // The defect seen in incidents, when latencies cluster at the timeout: the first call returns just as its
        // timer is dispatched; the late callback must not cancel the pooled source the second call then rents.
        var time = new ManualTimeProvider();
        var breaker = new CircuitBreaker("test", new CircuitBreakerOptions(), time, new FuseboxMetrics());
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions
        {
            Retry = ResilienceTestSupport.NoJitter(attempts: 1),
            Timeout = new TimeoutOptions { AttemptTimeout = TimeSpan.FromSeconds(1) },
        });
        var first = await caller.ExecuteAsync(ct =>
        {
            time.Advance(TimeSpan.FromSeconds(1)); // the attempt takes exactly its timeout
            return new ValueTask<int>(1);
        });
        Assert.Equal(1, first.Value);

        time.Timers.ForEach(t => t.RunCallback()); // the first attempt's timer callback, dispatched before the return, runs now
        var second = await caller.ExecuteAsync(ct =>
        {
            ct.ThrowIfCancellationRequested();
            return new ValueTask<int>(2);
        });

        Assert.Equal(2, second.Value);
        Assert.Equal(0, breaker.Snapshot().FailedCalls);
    }

    [Fact]
    public async Task Timed_out_attempts_are_retried()
    {
        int calls = 0;
        var (caller, _, time) = Create(ResilienceTestSupport.NoJitter(attempts: 3), new TimeoutOptions { AttemptTimeout = TimeSpan.FromSeconds(1) });

        var result = await time.DriveAsync(caller.ExecuteAsync(ct => ++calls < 3 ? time.HangAsync<int>(ct) : new ValueTask<int>(99)));

        Assert.Equal(99, result.Value);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task The_overall_timeout_covers_the_backoff_waits_and_is_not_retried()
    {
        int calls = 0;
        var (caller, breaker, time) = Create(ResilienceTestSupport.NoJitter(attempts: 10, baseMs: 1000),
            new TimeoutOptions { OverallTimeout = TimeSpan.FromSeconds(2.5) });

        var ex = await Assert.ThrowsAsync<CallTimeoutException>(() => time.DriveAsync(caller.ExecuteAsync<int>(ct =>
        {
            calls++;
            throw new DependencyDownException();
        })));

        Assert.Equal(TimeSpan.FromSeconds(2.5), ex.Timeout);
        Assert.Equal(2, calls); // attempt, 1 s wait, attempt, 2 s wait cut short at 2.5 s
        Assert.Equal(1, breaker.Snapshot().FailedCalls);
    }

    [Fact]
    public async Task The_overall_timeout_cancels_a_running_attempt()
    {
        var (caller, _, time) = Create(ResilienceTestSupport.NoJitter(attempts: 5),
            new TimeoutOptions { AttemptTimeout = TimeSpan.FromSeconds(10), OverallTimeout = TimeSpan.FromSeconds(3) });

        var ex = await Assert.ThrowsAsync<CallTimeoutException>(() => time.DriveAsync(caller.ExecuteAsync(time.HangAsync<int>)));

        Assert.Equal(TimeSpan.FromSeconds(3), ex.Timeout);
    }

    [Fact]
    public async Task Caller_cancellation_during_backoff_returns_promptly_and_records_the_failure_seen_before_it()
    {
        var (caller, breaker, time) = Create(ResilienceTestSupport.NoJitter(attempts: 3, baseMs: 60_000), new TimeoutOptions());
        using var cts = new CancellationTokenSource();
        var flaky = new Flaky(failures: 5);

        var call = caller.ExecuteAsync(flaky.CallAsync, cancellationToken: cts.Token).AsTask();
        Assert.Equal([TimeSpan.FromMinutes(1)], time.PendingTimers); // waiting out a one-minute backoff on the fake clock
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, flaky.Calls);
        var s = breaker.Snapshot();
        Assert.Equal(1, s.FailedCalls); // the dependency did fail once before the caller gave up (docs/resilience.md)
        Assert.Equal(0, s.IgnoredCalls);
    }

    [Fact]
    public async Task Caller_cancellation_during_an_attempt_is_not_retried_and_not_a_failure()
    {
        var (caller, breaker, _) = Create(ResilienceTestSupport.NoJitter(attempts: 5), new TimeoutOptions { AttemptTimeout = TimeSpan.FromSeconds(30) });
        using var cts = new CancellationTokenSource();
        int calls = 0;

        var call = caller.ExecuteAsync(ct => { calls++; return HangAsync(ct); }, cancellationToken: cts.Token).AsTask();
        await Task.Delay(20);
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, calls);
        Assert.Equal(0, breaker.Snapshot().FailedCalls);
        Assert.Equal(BreakerState.Closed, breaker.State);
    }

    [Fact]
    public async Task An_already_cancelled_token_runs_nothing()
    {
        var (caller, breaker, _) = Create(ResilienceTestSupport.NoJitter(), new TimeoutOptions());
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var flaky = new Flaky(0);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => caller.ExecuteAsync(flaky.CallAsync, cancellationToken: cts.Token).AsTask());

        Assert.Equal(0, flaky.Calls);
        Assert.Equal(0, breaker.Snapshot().TotalCalls);
    }

    [Fact]
    public async Task Timeouts_on_a_hung_dependency_open_the_breaker()
    {
        var time = new SteppingTimeProvider();
        var b = TestBreakers.Create(time, new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(2) });
        var caller = new ResilientCaller(b, new ResilientCallerOptions { Retry = ResilienceTestSupport.NoJitter(attempts: 1), Timeout = new TimeoutOptions { AttemptTimeout = TimeSpan.FromSeconds(1) } });

        for (int i = 0; i < 2; i++)
        {
            await Assert.ThrowsAsync<CallTimeoutException>(() => time.DriveAsync(caller.ExecuteAsync(time.HangAsync<int>)));
        }

        Assert.Equal(BreakerState.Open, b.State);
    }
}
