using Fusebox.Tests.Support;

namespace Fusebox.Tests.Resilience;

public class AdmissionTests
{
    [Fact]
    public async Task Refusals_never_reach_the_breaker_however_many_there_are()
    {
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(1) });
        var full = new RecordingAdmission(slots: 0);
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions { Admission = full, Retry = ResilienceTestSupport.NoJitter(attempts: 3, baseMs: 0) });
        int calls = 0;

        for (int i = 0; i < 1000; i++)
        {
            var ex = await Assert.ThrowsAsync<AdmissionRejectedException>(() => caller.ExecuteAsync(_ => new ValueTask<int>(++calls)).AsTask());
            Assert.Equal("test-bulkhead", ex.StageName);
            Assert.Equal("test", ex.CallerName);
            Assert.Equal(TimeSpan.FromMilliseconds(250), ex.RetryAfter);
        }

        var s = breaker.Snapshot();
        Assert.Equal(0, calls);
        Assert.Equal(BreakerState.Closed, breaker.State);
        Assert.Equal(0, s.FailedCalls);
        Assert.Equal(1000, s.IgnoredCalls); // the permit was released unreported
        Assert.Equal(0, s.RejectedCalls); // the breaker did not reject them either: the stage did
    }

    [Fact]
    public async Task A_refusal_takes_the_rejection_fallback_without_calling()
    {
        var (breaker, _) = TestBreakers.Create();
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions { Admission = new RecordingAdmission(slots: 0) });

        var result = await caller.ExecuteAsync(_ => new ValueTask<int>(1), Fallback<int>.Value(-1, FallbackTrigger.Rejected));

        Assert.Equal(-1, result.Value);
        Assert.Equal(0, result.Attempts);
        Assert.Equal(FallbackReason.Rejected, result.FallbackReason);
    }

    [Fact]
    public async Task An_open_breaker_rejects_before_the_stage_is_asked()
    {
        var (breaker, _) = TestBreakers.Create();
        breaker.Trip();
        var stage = new RecordingAdmission(slots: 1);
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions { Admission = stage });

        await Assert.ThrowsAsync<CircuitOpenException>(() => caller.ExecuteAsync(_ => new ValueTask<int>(1)).AsTask());

        Assert.Equal(0, stage.Entered);
    }

    [Fact]
    public async Task Every_attempt_enters_and_exits_once_with_its_outcome()
    {
        var (breaker, _) = TestBreakers.Create();
        var stage = new RecordingAdmission(slots: 1); // one slot: an attempt that did not exit would refuse the next
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions { Admission = stage, Retry = ResilienceTestSupport.NoJitter(attempts: 3, baseMs: 0) });
        var flaky = new Flaky(failures: 2);

        var result = await caller.ExecuteAsync(flaky.CallAsync);

        Assert.Equal(3, result.Attempts);
        Assert.Equal([AdmissionOutcome.Failed, AdmissionOutcome.Failed, AdmissionOutcome.Succeeded], stage.Exits);
        Assert.Equal(1, stage.Free);
        Assert.Equal(1, breaker.Snapshot().SuccessfulCalls);
    }

    [Fact]
    public async Task A_timeout_exits_as_overloaded_and_a_caller_cancellation_as_ignored()
    {
        var (breaker, time) = TestBreakers.Create();
        var stage = new RecordingAdmission(slots: 2);
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions
        {
            Admission = stage,
            Retry = new RetryOptions { MaxAttempts = 1 },
            Timeout = new TimeoutOptions { AttemptTimeout = TimeSpan.FromSeconds(1) },
        });

        var timingOut = caller.ExecuteAsync(ct => HangAsync(time, ct));
        time.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<CallTimeoutException>(() => timingOut.AsTask());

        using var cts = new CancellationTokenSource();
        var cancelled = caller.ExecuteAsync(ct => HangAsync(time, ct), cancellationToken: cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.AsTask());

        Assert.Equal([AdmissionOutcome.Overloaded, AdmissionOutcome.Ignored], stage.Exits);
        Assert.Equal(2, stage.Free);
    }

    [Fact]
    public async Task A_refused_retry_is_not_sent_and_the_last_failure_stands_as_one_breaker_failure()
    {
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(100) });
        var stage = new RecordingAdmission(slots: 1, maxEntries: 1); // the first attempt's admission is the last
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions { Admission = stage, Retry = ResilienceTestSupport.NoJitter(attempts: 3, baseMs: 0) });
        int calls = 0;

        var ex = await Assert.ThrowsAsync<DependencyDownException>(() => caller.ExecuteAsync<int>(_ =>
        {
            calls++;
            throw new DependencyDownException("first attempt");
        }).AsTask());

        Assert.Equal("first attempt", ex.Message);
        Assert.Equal(1, calls);
        Assert.Equal(1, breaker.Snapshot().FailedCalls);
        Assert.Equal([AdmissionOutcome.Failed], stage.Exits);
    }

    /// <summary>An operation that only ends when its token is cancelled.</summary>
    internal static async ValueTask<int> HangAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken);
        return 0;
    }
}
