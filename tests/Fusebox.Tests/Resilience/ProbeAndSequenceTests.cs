using Fusebox.Tests.Support;

namespace Fusebox.Tests.Resilience;

/// <summary>How one permit relates to a retry sequence: probes, the breaker moving on, and the caller cancelling
/// (docs/resilience.md, "One permit, one outcome").</summary>
public class ProbeAndSequenceTests
{
    private static readonly TimeSpan Break = TimeSpan.FromSeconds(30);

    private static (ResilientCaller Caller, CircuitBreaker Breaker, SteppingTimeProvider Time) Create(RetryOptions retry, CircuitBreakerOptions breakerOptions)
    {
        var time = new SteppingTimeProvider();
        var breaker = TestBreakers.Create(time, breakerOptions);
        return (new ResilientCaller(breaker, new ResilientCallerOptions { Retry = retry }), breaker, time);
    }

    /// <summary>A breaker whose break is over: the next call is a half-open probe.</summary>
    private static (ResilientCaller Caller, CircuitBreaker Breaker, SteppingTimeProvider Time) HalfOpen(RetryOptions retry, TimeSpan? probeTimeout = null)
    {
        var created = Create(retry, new CircuitBreakerOptions
        {
            HalfOpenPermits = 1,
            BreakDuration = Break,
            ProbeTimeout = probeTimeout ?? TimeSpan.FromSeconds(60),
        });
        created.Breaker.Trip();
        created.Time.Advance(Break);
        return created;
    }

    [Fact]
    public async Task A_probe_gets_one_attempt_so_a_dependency_failing_two_calls_in_three_does_not_close_the_breaker()
    {
        var (caller, breaker, _) = HalfOpen(ResilienceTestSupport.NoJitter(attempts: 3, baseMs: 0));
        var flaky = new Flaky(failures: 2);

        await Assert.ThrowsAsync<DependencyDownException>(() => caller.ExecuteAsync(flaky.CallAsync).AsTask());

        Assert.Equal(1, flaky.Calls);
        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.Equal(TransitionReason.ProbeFailed, breaker.Snapshot().LastReason);
    }

    [Fact]
    public async Task A_successful_probe_still_closes_the_breaker_after_its_single_attempt()
    {
        var (caller, breaker, _) = HalfOpen(ResilienceTestSupport.NoJitter(attempts: 3, baseMs: 0));

        var result = await caller.ExecuteAsync(new Flaky(failures: 0).CallAsync);

        Assert.Equal(1, result.Attempts);
        Assert.Equal(BreakerState.Closed, breaker.State);
    }

    [Fact]
    public async Task Never_more_probe_attempts_run_at_once_than_half_open_permits()
    {
        // The back-off (2 s) outlasts ProbeTimeout (1 s): a probe that retried would lose its slot while still
        // running, and a second caller's probe would then run beside its next attempt.
        var (caller, breaker, time) = HalfOpen(ResilienceTestSupport.NoJitter(attempts: 3, baseMs: 2000), probeTimeout: TimeSpan.FromSeconds(1));
        using var stop = new CancellationTokenSource();
        int calls = 0, inFlight = 0, maxInFlight = 0;

        async ValueTask<int> Probe(CancellationToken ct)
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                throw new DependencyDownException();
            }

            int running = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, running);
            try
            {
                return await time.HangAsync<int>(ct);
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        }

        try
        {
            var first = caller.ExecuteAsync(Probe, cancellationToken: stop.Token).AsTask();
            int seen = time.Waits;
            time.Advance(TimeSpan.FromSeconds(2));
            await time.WaitForWaitAsync(seen, first); // a retrying probe would now hang in its second attempt
            var second = caller.ExecuteAsync(Probe, cancellationToken: stop.Token).AsTask();

            Assert.True(maxInFlight <= 1, $"{maxInFlight} probe attempts ran at once with HalfOpenPermits = 1");
            await Assert.ThrowsAsync<DependencyDownException>(() => first);
            await Assert.ThrowsAsync<CircuitOpenException>(() => second);
            Assert.Equal(BreakerState.Open, breaker.State);
        }
        finally
        {
            await stop.CancelAsync(); // ends any attempt left hanging
        }
    }

    [Fact]
    public async Task Retries_stop_when_the_breaker_opens_during_the_backoff()
    {
        var (caller, breaker, time) = Create(ResilienceTestSupport.NoJitter(attempts: 3, baseMs: 1000),
            new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(1) });
        var flaky = new Flaky(failures: int.MaxValue, () => new DependencyDownException("first attempt"));

        var call = caller.ExecuteAsync(flaky.CallAsync).AsTask();
        Assert.Equal([TimeSpan.FromSeconds(1)], time.PendingTimers);
        breaker.Fail(); // another caller's failure opens the breaker while this one waits to retry

        var ex = await Assert.ThrowsAsync<DependencyDownException>(() => time.DriveAsync(call));
        Assert.Equal("first attempt", ex.Message);
        Assert.Equal(1, flaky.Calls);
        Assert.Equal(BreakerState.Open, breaker.State);
    }

    [Fact]
    public async Task Retries_stop_without_waiting_when_the_breaker_opened_during_the_attempt()
    {
        var (caller, breaker, time) = Create(ResilienceTestSupport.NoJitter(attempts: 3, baseMs: 1000),
            new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(1) });
        int calls = 0;

        var call = caller.ExecuteAsync<int>(ct =>
        {
            calls++;
            breaker.Fail(); // the breaker opens while the attempt runs
            throw new DependencyDownException();
        }).AsTask();

        Assert.Empty(time.PendingTimers); // no back-off is started for a retry that cannot happen
        await Assert.ThrowsAsync<DependencyDownException>(() => time.DriveAsync(call));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task A_caller_whose_deadline_is_shorter_than_the_sequence_still_trips_the_breaker()
    {
        var (caller, breaker, time) = Create(ResilienceTestSupport.NoJitter(attempts: 3, baseMs: 1000),
            new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(2) });
        var flaky = new Flaky(failures: int.MaxValue);

        for (int call = 1; call <= 2; call++)
        {
            Assert.Equal(BreakerState.Closed, breaker.State);
            using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(500), time);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => time.DriveAsync(caller.ExecuteAsync(flaky.CallAsync, cancellationToken: deadline.Token)));
            Assert.Equal(call, breaker.Snapshot().FailedCalls); // the attempt that failed before the deadline counts
        }

        Assert.Equal(2, flaky.Calls);
        Assert.Equal(BreakerState.Open, breaker.State);
    }

    [Fact]
    public async Task A_cancel_during_a_retry_records_the_failure_of_the_attempt_before_it()
    {
        var (caller, breaker, time) = Create(ResilienceTestSupport.NoJitter(attempts: 3, baseMs: 1000), new CircuitBreakerOptions());
        using var cts = new CancellationTokenSource();
        int calls = 0;

        var call = caller.ExecuteAsync(ct => ++calls == 1 ? ValueTask.FromException<int>(new DependencyDownException()) : time.HangAsync<int>(ct),
            cancellationToken: cts.Token).AsTask();
        int seen = time.Waits;
        time.Advance(TimeSpan.FromSeconds(1));
        await time.WaitForWaitAsync(seen, call); // the second attempt hangs
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, calls);
        var s = breaker.Snapshot();
        Assert.Equal(1, s.FailedCalls);
        Assert.Equal(0, s.IgnoredCalls);
    }

    [Fact]
    public async Task A_probe_cancelled_during_its_attempt_gives_its_slot_back()
    {
        var (caller, breaker, time) = HalfOpen(ResilienceTestSupport.NoJitter(attempts: 3, baseMs: 0));
        using var cts = new CancellationTokenSource();

        var call = caller.ExecuteAsync(time.HangAsync<int>, cancellationToken: cts.Token).AsTask();
        Assert.Equal(0, breaker.Snapshot().FreeProbeSlots);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(30)));
        var s = breaker.Snapshot();
        Assert.Equal(BreakerState.HalfOpen, s.State);
        Assert.Equal(1, s.FreeProbeSlots);
        Assert.Equal(1, s.IgnoredCalls);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current = Volatile.Read(ref target);
        while (value > current)
        {
            int seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
