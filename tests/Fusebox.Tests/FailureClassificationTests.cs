using Fusebox.Tests.Support;

namespace Fusebox.Tests;

public class FailureClassificationTests
{
    [Fact]
    public async Task Caller_cancellation_is_ignored_not_a_failure()
    {
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(1) });
        using var cts = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await breaker.ExecuteAsync(async ct =>
        {
            await Task.Yield();
            cts.Cancel();
            ct.ThrowIfCancellationRequested();
            return 1;
        }, cts.Token));

        Assert.Equal(BreakerState.Closed, breaker.State);
        var s = breaker.Snapshot();
        Assert.Equal(1, s.IgnoredCalls);
        Assert.Equal(0, s.FailedCalls);
        Assert.Equal(0, s.SuccessfulCalls);
    }

    [Fact]
    public async Task A_cancellation_not_caused_by_the_caller_is_a_failure()
    {
        // e.g. HttpClient's own timeout surfaces as TaskCanceledException while the caller's token is fine.
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(1) });

        await Assert.ThrowsAsync<TaskCanceledException>(async () =>
            await breaker.ExecuteAsync<int>(_ => throw new TaskCanceledException("timed out")));

        Assert.Equal(BreakerState.Open, breaker.State);
    }

    [Fact]
    public void ShouldHandleException_decides_and_unhandled_exceptions_count_as_success()
    {
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions
        {
            TripPolicy = TripPolicy.ConsecutiveFailures(1),
            ShouldHandleException = ex => ex is DependencyDownException,
        });

        Assert.Throws<ArgumentException>(() => breaker.Execute<int>(_ => throw new ArgumentException("caller bug")));
        Assert.Equal(BreakerState.Closed, breaker.State);
        Assert.Equal(1, breaker.Snapshot().SuccessfulCalls);

        Assert.Throws<DependencyDownException>(() => breaker.Execute<int>(_ => throw new DependencyDownException()));
        Assert.Equal(BreakerState.Open, breaker.State);
    }

    [Fact]
    public async Task A_failing_result_is_a_failure_and_still_returned_to_the_caller()
    {
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions
        {
            TripPolicy = TripPolicy.ConsecutiveFailures(2),
            ShouldHandleResult = ResultPredicate.Handle<string>(static s => s.StartsWith("503", StringComparison.Ordinal)),
        });

        Assert.Equal("503 Service Unavailable", await breaker.ExecuteAsync(static _ => new ValueTask<string>("503 Service Unavailable")));
        var outcome = await breaker.TryExecuteAsync(static _ => new ValueTask<string>("503 again"));

        Assert.Equal("503 again", outcome.Value);
        Assert.Equal(BreakerState.Open, breaker.State);
    }

    [Fact]
    public void Void_operations_never_reach_the_result_predicate()
    {
        int predicateCalls = 0;
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions { ShouldHandleResult = ResultPredicate.Handle<object?>(_ => ++predicateCalls > 0) });

        breaker.Execute(_ => { });

        Assert.Equal(0, predicateCalls);
        Assert.Equal(1, breaker.Snapshot().SuccessfulCalls);
    }

    [Fact]
    public void RecordException_on_a_permit_classifies_caller_cancellation()
    {
        var (breaker, _) = TestBreakers.Create();
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.True(breaker.TryAcquire(out var permit));
        permit.RecordException(new OperationCanceledException(cts.Token), cts.Token);

        Assert.Equal(1, breaker.Snapshot().IgnoredCalls);
    }
}
