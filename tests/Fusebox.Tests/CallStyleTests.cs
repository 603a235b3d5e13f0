using Fusebox.Tests.Support;

namespace Fusebox.Tests;

public class CallStyleTests
{
    [Fact]
    public async Task ExecuteAsync_returns_the_value_and_counts_a_success()
    {
        var (breaker, _) = TestBreakers.Create();

        int value = await breaker.ExecuteAsync(static ct => new ValueTask<int>(7));

        Assert.Equal(7, value);
        Assert.Equal(1, breaker.Snapshot().SuccessfulCalls);
    }

    [Fact]
    public async Task ExecuteAsync_passes_the_operations_exception_through_untouched()
    {
        var (breaker, _) = TestBreakers.Create();
        var thrown = new DependencyDownException("boom");

        var caught = await Assert.ThrowsAsync<DependencyDownException>(async () =>
            await breaker.ExecuteAsync<int>(async ct =>
            {
                await Task.Yield();
                throw thrown;
            }));

        Assert.Same(thrown, caught);
        Assert.Equal(1, breaker.Snapshot().FailedCalls);
    }

    [Fact]
    public async Task ExecuteAsync_passes_a_synchronous_throw_through_as_a_faulted_task()
    {
        var (breaker, _) = TestBreakers.Create();
        var thrown = new DependencyDownException();

        var task = breaker.ExecuteAsync<int>(_ => throw thrown);

        Assert.True(task.IsFaulted);
        Assert.Same(thrown, await Assert.ThrowsAsync<DependencyDownException>(async () => await task));
        Assert.Equal(1, breaker.Snapshot().FailedCalls);
    }

    [Fact]
    public async Task ExecuteAsync_when_open_throws_BrokenCircuitException_with_name_and_retry_after()
    {
        var (breaker, time) = TestBreakers.Create(name: "fraud-service");
        breaker.Trip();
        time.Advance(TimeSpan.FromSeconds(10));
        bool ran = false;

        var ex = await Assert.ThrowsAsync<CircuitOpenException>(async () =>
            await breaker.ExecuteAsync(ct =>
            {
                ran = true;
                return new ValueTask<int>(1);
            }));

        Assert.False(ran);
        Assert.Equal("fraud-service", ex.BreakerName);
        Assert.Equal(BreakerState.Open, ex.State);
        Assert.Equal(TimeSpan.FromSeconds(20), ex.RetryAfter);
        Assert.Contains("'fraud-service' is open", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Retry after 20 s", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Task_returning_operations_are_accepted()
    {
        var (breaker, _) = TestBreakers.Create();
        static Task<int> CallAsync(CancellationToken ct) => Task.FromResult(5);

        Assert.Equal(5, await breaker.ExecuteAsync(ct => CallAsync(ct)));
        Assert.Equal(5, await breaker.ExecuteAsync(CallAsync));
        Assert.Equal(5, (await breaker.TryExecuteAsync(CallAsync)).Value);
        await breaker.ExecuteAsync(ct => Task.Delay(1, ct));
        Assert.Equal(4, breaker.Snapshot().SuccessfulCalls);
    }

    [Fact]
    public async Task Async_lambdas_compile_against_the_ValueTask_overloads()
    {
        var (breaker, _) = TestBreakers.Create();

        int value = await breaker.ExecuteAsync(async ct =>
        {
            await Task.Yield();
            return 3;
        });
        await breaker.ExecuteAsync(async ct => await Task.Yield());

        Assert.Equal(3, value);
        Assert.Equal(2, breaker.Snapshot().SuccessfulCalls);
    }

    [Fact]
    public async Task Void_async_operations_record_failures()
    {
        var (breaker, _) = TestBreakers.Create();

        await Assert.ThrowsAsync<DependencyDownException>(async () =>
            await breaker.ExecuteAsync(async ct =>
            {
                await Task.Yield();
                throw new DependencyDownException();
            }));

        Assert.Equal(1, breaker.Snapshot().FailedCalls);
    }

    [Fact]
    public async Task Stateful_overload_passes_the_state()
    {
        var (breaker, _) = TestBreakers.Create();

        var result = await breaker.ExecuteAsync(static (s, ct) => new ValueTask<string>(s + "!"), "hi");
        var outcome = await breaker.TryExecuteAsync(static (s, ct) => new ValueTask<int>(s * 2), 21);
        var sync = breaker.Execute(static (s, ct) => s.Length, "abc");
        var trySync = breaker.TryExecute(static (s, ct) => s + 1, 1);

        Assert.Equal("hi!", result);
        Assert.Equal(42, outcome.Value);
        Assert.Equal(3, sync);
        Assert.Equal(2, trySync.Value);
    }

    [Fact]
    public async Task TryExecuteAsync_returns_the_exception_without_throwing_and_can_rethrow_it()
    {
        var (breaker, _) = TestBreakers.Create();
        var thrown = new DependencyDownException();

        var outcome = await breaker.TryExecuteAsync<int>(async ct =>
        {
            await Task.Yield();
            throw thrown;
        });

        Assert.False(outcome.HasValue);
        Assert.False(outcome.IsRejected);
        Assert.Same(thrown, outcome.Exception);
        Assert.Same(thrown, Assert.Throws<DependencyDownException>(() => outcome.GetValueOrThrow()));
        Assert.Throws<InvalidOperationException>(() => outcome.Value);
    }

    [Fact]
    public async Task TryExecuteAsync_when_open_returns_a_rejection()
    {
        var (breaker, _) = TestBreakers.Create(name: "svc");
        breaker.Trip();

        var outcome = await breaker.TryExecuteAsync(static ct => new ValueTask<int>(1));

        Assert.True(outcome.IsRejected);
        Assert.Null(outcome.Exception);
        Assert.Equal(TimeSpan.FromSeconds(30), outcome.RetryAfter);
        Assert.Equal("svc", outcome.BreakerName);
        Assert.Equal(BreakerState.Open, outcome.RejectedIn);
        Assert.False(outcome.TryGetValue(out _));
        var ex = Assert.Throws<CircuitOpenException>(() => outcome.GetValueOrThrow());
        Assert.Equal("svc", ex.BreakerName);
    }

    [Fact]
    public void Execute_sync_returns_throws_and_rejects()
    {
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(1) });

        Assert.Equal(1, breaker.Execute(_ => 1));
        Assert.Throws<DependencyDownException>(() => breaker.Execute(_ => throw new DependencyDownException()));
        Assert.Throws<CircuitOpenException>(() => breaker.Execute(_ => { }));
    }

    [Fact]
    public void TryExecute_sync_captures_the_exception()
    {
        var (breaker, _) = TestBreakers.Create();

        var outcome = breaker.TryExecute<int>(_ => throw new DependencyDownException());

        Assert.IsType<DependencyDownException>(outcome.Exception);
        Assert.Equal(1, breaker.Snapshot().FailedCalls);
    }

    [Fact]
    public void Permit_style_records_results_through_the_classifier()
    {
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions
        {
            TripPolicy = TripPolicy.ConsecutiveFailures(2),
            ShouldHandleResult = ResultPredicate.Handle<int>(static r => r == 503),
        });

        Assert.True(breaker.TryAcquire(out var a));
        a.RecordResult(503);
        Assert.True(breaker.TryAcquire(out var b));
        b.RecordResult(200);
        Assert.True(breaker.TryAcquire(out var c));
        c.RecordResult(503);
        Assert.True(breaker.TryAcquire(out var d));
        d.RecordResult(503);

        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.Equal(3, breaker.Snapshot().FailedCalls);
    }

    [Fact]
    public void A_permit_from_another_breaker_is_refused()
    {
        var (a, _) = TestBreakers.Create(name: "a");
        var (b, _) = TestBreakers.Create(name: "b");
        Assert.True(a.TryAcquire(out var permit));

        Assert.Throws<ArgumentException>(() => b.Complete(permit, Completion.Success));
    }

    [Fact]
    public async Task Null_operations_are_rejected_with_ArgumentNullException()
    {
        var (breaker, _) = TestBreakers.Create();

        Assert.Throws<ArgumentNullException>(() => breaker.Execute<int>(null!));
        Assert.Throws<ArgumentNullException>(() => breaker.TryExecute<int>(null!));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await breaker.ExecuteAsync((Func<CancellationToken, ValueTask<int>>)null!));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await breaker.TryExecuteAsync((Func<CancellationToken, ValueTask<int>>)null!));
    }

    [Fact]
    public async Task An_already_cancelled_token_does_not_run_or_count_the_call()
    {
        var (breaker, _) = TestBreakers.Create();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        bool ran = false;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await breaker.ExecuteAsync(ct => { ran = true; return new ValueTask<int>(1); }, cts.Token));
        var outcome = await breaker.TryExecuteAsync(ct => { ran = true; return new ValueTask<int>(1); }, cts.Token);
        Assert.Throws<OperationCanceledException>(() => breaker.Execute(_ => ran = true, cts.Token));

        Assert.False(ran);
        Assert.IsType<OperationCanceledException>(outcome.Exception);
        Assert.Equal(0, breaker.Snapshot().TotalCalls);
    }
}
