using Fusebox.Tests.Support;

namespace Fusebox.Tests.Resilience;

public class ResilientCallerTests
{
    private static (ResilientCaller Caller, CircuitBreaker Breaker, SteppingTimeProvider Time) Create(RetryOptions? retry = null, TimeoutOptions? timeout = null, CircuitBreakerOptions? breaker = null)
    {
        var time = new SteppingTimeProvider();
        var b = TestBreakers.Create(time, breaker);
        return (new ResilientCaller(b, new ResilientCallerOptions { Retry = retry ?? ResilienceTestSupport.NoJitter(), Timeout = timeout ?? new TimeoutOptions() }), b, time);
    }

    [Fact]
    public async Task A_success_is_returned_after_one_attempt_without_fallback()
    {
        var (caller, breaker, _) = Create();

        var result = await caller.ExecuteAsync(static ct => new ValueTask<int>(7), Fallback<int>.Value(-1));

        Assert.Equal(7, result.Value);
        Assert.Equal(1, result.Attempts);
        Assert.False(result.UsedFallback);
        Assert.Equal(FallbackReason.None, result.FallbackReason);
        Assert.Equal(1, breaker.Snapshot().SuccessfulCalls);
    }

    [Fact]
    public async Task Transient_failures_are_retried_with_the_backoff_delays()
    {
        var (caller, breaker, time) = Create(ResilienceTestSupport.NoJitter(attempts: 4));
        var flaky = new Flaky(failures: 3);
        var delays = new List<TimeSpan>();
        var options = ResilienceTestSupport.NoJitter(attempts: 4);
        options.OnRetry = e => delays.Add(e.Delay);
        caller = new ResilientCaller(breaker, new ResilientCallerOptions { Retry = options });

        var result = await time.DriveAsync(caller.ExecuteAsync(flaky.CallAsync));

        Assert.Equal(4, result.Value);
        Assert.Equal(4, result.Attempts);
        Assert.Equal([TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400)], delays);
        Assert.Equal(1, breaker.Snapshot().SuccessfulCalls);
        Assert.Equal(0, breaker.Snapshot().FailedCalls);
    }

    [Fact]
    public async Task The_waits_happen_on_the_time_provider()
    {
        var (caller, _, time) = Create(ResilienceTestSupport.NoJitter(attempts: 2, baseMs: 1000));
        var flaky = new Flaky(failures: 1);

        var call = caller.ExecuteAsync(flaky.CallAsync).AsTask();

        // The back-off is a timer on the fake clock armed for exactly the delay; a wait on any other clock arms none.
        Assert.Equal([TimeSpan.FromSeconds(1)], time.PendingTimers);
        Assert.Equal(1, flaky.Calls);
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(call.IsCompleted); // the only timer has not fired, so nothing can have run
        Assert.Equal(1, flaky.Calls);
        Assert.Equal([TimeSpan.FromMilliseconds(1)], time.PendingTimers);
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(2, (await call.WaitAsync(TimeSpan.FromSeconds(30))).Value); // real time only guards a hang
        Assert.Empty(time.PendingTimers);
    }

    [Fact]
    public async Task After_the_last_attempt_the_operations_own_exception_is_thrown()
    {
        var (caller, breaker, time) = Create();
        var flaky = new Flaky(failures: 10, () => new DependencyDownException("still down"));

        var ex = await Assert.ThrowsAsync<DependencyDownException>(() => time.DriveAsync(caller.ExecuteAsync(flaky.CallAsync)));

        Assert.Equal("still down", ex.Message);
        Assert.Equal(3, flaky.Calls);
        Assert.Equal(1, breaker.Snapshot().FailedCalls);
    }

    [Fact]
    public async Task Five_failed_sequences_of_three_attempts_open_the_breaker_after_fifteen_attempts()
    {
        var (caller, breaker, time) = Create(ResilienceTestSupport.NoJitter(attempts: 3, baseMs: 0));
        var flaky = new Flaky(failures: int.MaxValue);

        for (int sequence = 1; sequence <= 5; sequence++)
        {
            Assert.Equal(BreakerState.Closed, breaker.State);
            await Assert.ThrowsAsync<DependencyDownException>(() => time.DriveAsync(caller.ExecuteAsync(flaky.CallAsync)));
            Assert.Equal(sequence * 3, flaky.Calls);
        }

        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.Equal(15, flaky.Calls);
        Assert.Equal(5, breaker.Snapshot().FailedCalls);
    }

    [Fact]
    public async Task A_rejected_call_is_never_retried_and_never_runs()
    {
        var (caller, breaker, _) = Create();
        breaker.Isolate();
        var flaky = new Flaky(failures: 0);

        await Assert.ThrowsAsync<CircuitOpenException>(() => caller.ExecuteAsync(flaky.CallAsync).AsTask());

        Assert.Equal(0, flaky.Calls);
        Assert.Equal(1, breaker.Snapshot().RejectedCalls);
    }

    [Fact]
    public async Task A_non_retryable_exception_stops_at_once()
    {
        var retry = ResilienceTestSupport.NoJitter();
        retry.ShouldRetryException = ex => ex is TimeoutException;
        var (caller, _, _) = Create(retry);
        var flaky = new Flaky(failures: 5, () => new ArgumentException("bad input"));

        await Assert.ThrowsAsync<ArgumentException>(() => caller.ExecuteAsync(flaky.CallAsync).AsTask());

        Assert.Equal(1, flaky.Calls);
    }

    [Fact]
    public async Task An_inner_broken_circuit_is_never_retried()
    {
        var (caller, _, _) = Create();
        int calls = 0;

        await Assert.ThrowsAsync<CircuitOpenException>(() => caller.ExecuteAsync<int>(ct =>
        {
            calls++;
            throw new CircuitOpenException("inner", BreakerState.Open, null);
        }).AsTask());

        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Results_can_be_retried_and_the_last_one_is_returned()
    {
        var retry = ResilienceTestSupport.NoJitter(attempts: 3, baseMs: 0);
        retry.ShouldRetryResult = ResultPredicate.Handle<int>(static r => r == 503);
        var (caller, breaker, _) = Create(retry, breaker: new CircuitBreakerOptions { ShouldHandleResult = ResultPredicate.Handle<int>(static r => r == 503) });
        int calls = 0;

        var result = await caller.ExecuteAsync(ct => new ValueTask<int>(++calls < 10 ? 503 : 200));

        Assert.Equal(503, result.Value);
        Assert.Equal(3, calls);
        Assert.Equal(1, breaker.Snapshot().FailedCalls);
    }

    [Fact]
    public async Task A_retried_result_that_recovers_is_a_success()
    {
        var retry = ResilienceTestSupport.NoJitter(attempts: 3, baseMs: 0);
        retry.ShouldRetryResult = ResultPredicate.Handle<int>(static r => r == 503);
        var (caller, breaker, _) = Create(retry);
        int calls = 0;

        var result = await caller.ExecuteAsync(ct => new ValueTask<int>(++calls < 2 ? 503 : 200));

        Assert.Equal(200, result.Value);
        Assert.Equal(2, result.Attempts);
        Assert.Equal(1, breaker.Snapshot().SuccessfulCalls);
    }

    [Fact]
    public async Task Retry_after_hints_are_honoured()
    {
        var retry = ResilienceTestSupport.NoJitter(attempts: 2);
        retry.DelayHint = c => c.Exception is ServerBusyException busy ? busy.RetryAfter : null;
        var delays = new List<TimeSpan>();
        retry.OnRetry = e => delays.Add(e.Delay);
        var (caller, _, time) = Create(retry);
        var flaky = new Flaky(failures: 1, () => new ServerBusyException(TimeSpan.FromSeconds(3)));

        await time.DriveAsync(caller.ExecuteAsync(flaky.CallAsync));

        Assert.Equal([TimeSpan.FromSeconds(3)], delays);
    }

    [Fact]
    public async Task Retry_after_hints_are_capped_by_the_max_delay()
    {
        var retry = ResilienceTestSupport.NoJitter(attempts: 2);
        retry.MaxDelay = TimeSpan.FromSeconds(2);
        retry.DelayHint = c => c.Result is int r && r == 429 ? TimeSpan.FromMinutes(10) : null;
        retry.ShouldRetryResult = ResultPredicate.Handle<int>(static r => r == 429);
        var delays = new List<TimeSpan>();
        retry.OnRetry = e => delays.Add(e.Delay);
        var (caller, _, time) = Create(retry);
        int calls = 0;

        var result = await time.DriveAsync(caller.ExecuteAsync(ct => new ValueTask<int>(++calls == 1 ? 429 : 200)));

        Assert.Equal(200, result.Value);
        Assert.Equal([TimeSpan.FromSeconds(2)], delays);
    }

    [Fact]
    public async Task OnRetry_sees_the_attempt_the_delay_and_the_failure()
    {
        var retry = ResilienceTestSupport.NoJitter(attempts: 3, baseMs: 0);
        var events = new List<RetryEvent>();
        retry.OnRetry = events.Add;
        var (caller, _, _) = Create(retry, breaker: new CircuitBreakerOptions());
        var flaky = new Flaky(failures: 2);

        await caller.ExecuteAsync(flaky.CallAsync);

        Assert.Equal([1, 2], events.Select(e => e.Attempt));
        Assert.All(events, e => Assert.IsType<DependencyDownException>(e.Exception));
        Assert.All(events, e => Assert.Equal("test", e.Name));
    }

    [Fact]
    public async Task Task_returning_operations_work()
    {
        var (caller, _, _) = Create();

        var result = await caller.ExecuteAsync(ct => Task.FromResult("ok"));

        Assert.Equal("ok", result.Value);
    }

    [Fact]
    public async Task Stateful_overload_passes_its_state()
    {
        var (caller, _, _) = Create();

        var result = await caller.ExecuteAsync(static (s, ct) => new ValueTask<int>(s * 2), 21);

        Assert.Equal(42, result.Value);
    }

    [Fact]
    public async Task Stateful_overload_accepts_Task_returning_operations_and_async_lambdas()
    {
        var (caller, _, _) = Create();
        static Task<int> DoubleAsync(int s, CancellationToken ct) => Task.FromResult(s * 2);

        var fromTask = await caller.ExecuteAsync(static (s, ct) => DoubleAsync(s, ct), 21);
        var fromAsyncLambda = await caller.ExecuteAsync(static async (s, ct) =>
        {
            await Task.Yield();
            return s + 1;
        }, 41);

        Assert.Equal(42, fromTask.Value);
        Assert.Equal(42, fromAsyncLambda.Value);
    }

    private sealed class ServerBusyException(TimeSpan retryAfter) : Exception("busy")
    {
        public TimeSpan RetryAfter { get; } = retryAfter;
    }
}
