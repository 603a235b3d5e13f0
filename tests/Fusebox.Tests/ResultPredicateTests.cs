using Fusebox.Tests.Support;

namespace Fusebox.Tests;

/// <summary>Typed, optionally asynchronous result predicates: which clauses apply to which results, in which order,
/// awaited where, and what the breaker and the caller make of them.</summary>
public class ResultPredicateTests
{
    private class Reply(int status)
    {
        public int Status { get; } = status;
    }

    private sealed class RetryReply(int status) : Reply(status);

    [Fact]
    public void A_clause_sees_results_of_its_type_and_values_that_are_one_but_never_other_types()
    {
        var failing = ResultPredicate.Handle<Reply>(r => r.Status >= 500);

        Assert.True(failing.ShouldHandle(new Reply(503)));
        Assert.False(failing.ShouldHandle(new Reply(200)));
        Assert.True(failing.ShouldHandle<object>(new Reply(503)));      // static type object, value a Reply
        Assert.True(failing.ShouldHandle(new RetryReply(500)));         // a derived type is one
        Assert.False(failing.ShouldHandle<object>("503"));              // never another type
        Assert.False(failing.ShouldHandle(503));
    }

    [Fact]
    public void A_null_result_reaches_a_clause_over_its_static_type_only()
    {
        int calls = 0;
        var nulls = ResultPredicate.Handle<string?>(s => { calls++; return s is null; });

        Assert.True(nulls.ShouldHandle<string?>(null));
        Assert.False(nulls.ShouldHandle<object?>(null)); // a null object is not known to be a string
        Assert.Equal(1, calls);
    }

    [Fact]
    public void Clauses_are_asked_in_order_until_one_says_true_and_Or_leaves_the_original_unchanged()
    {
        var asked = new List<string>();
        var first = ResultPredicate.Handle<int>(v => { asked.Add("first"); return v < 0; });
        var both = first.Or<int>(v => { asked.Add("second"); return v == 0; }).Or<string>(s => { asked.Add("string"); return true; });

        Assert.True(both.ShouldHandle(-1));
        Assert.Equal(["first"], asked);
        asked.Clear();

        Assert.True(both.ShouldHandle(0));
        Assert.Equal(["first", "second"], asked); // the string clause does not apply to an int
        asked.Clear();

        Assert.False(first.ShouldHandle(0));
        Assert.Equal(["first"], asked);
        Assert.False(first.IsAsynchronous);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(3, true)]
    [InlineData(4, false)]
    public async Task Mixed_clauses_decide_alike_sync_and_async_whether_the_async_ones_complete_at_once_or_later(int value, bool handled)
    {
        var completing = ResultPredicate.Handle<int>(v => v == 1).OrAsync<int>((v, ct) => new ValueTask<bool>(v == 2)).Or<int>(v => v == 3);
        var pending = ResultPredicate.HandleAsync<int>(async (v, ct) => { await Task.Yield(); return v == 1; })
            .OrAsync<int>((v, ct) => new ValueTask<bool>(v == 2)).OrAsync<int>(async (v, ct) => { await Task.Yield(); return v == 3; });
        var notApplying = ResultPredicate.HandleAsync<string>((s, ct) => throw new InvalidOperationException("never asked for an int"));

        Assert.Equal(handled, await completing.ShouldHandleAsync(value));
        Assert.Equal(handled, completing.ShouldHandle(value));
        Assert.Equal(handled, await pending.ShouldHandleAsync(value));
        Assert.Equal(handled, pending.ShouldHandle(value));
        Assert.False(await notApplying.ShouldHandleAsync(value));
        Assert.True(completing.IsAsynchronous);
        Assert.False(ResultPredicate.Handle<int>(v => true).Or<string>(s => true).IsAsynchronous);
        Assert.True(ResultPredicate.Handle<int>(v => true).OrAsync<int>((v, ct) => new ValueTask<bool>(true)).Or<int>(v => true).IsAsynchronous);
        Assert.True(ResultPredicate.HandleAsync<int>((v, ct) => new ValueTask<bool>(true)).OrAsync<int>((v, ct) => new ValueTask<bool>(true)).IsAsynchronous);
    }

    [Fact]
    public void A_value_type_reaches_a_clause_over_an_interface_it_implements()
    {
        var predicate = ResultPredicate.Handle<IComparable<int>>(c => c.CompareTo(0) < 0);

        Assert.True(predicate.ShouldHandle(-5));
        Assert.False(predicate.ShouldHandle(5));
        Assert.True(predicate.ShouldHandle<int?>(-5));
    }

    [Fact]
    public void Null_predicates_are_refused_naming_the_argument()
    {
        Assert.Equal("predicate", Assert.Throws<ArgumentNullException>(() => ResultPredicate.Handle<int>(null!)).ParamName);
        Assert.Equal("predicate", Assert.Throws<ArgumentNullException>(() => ResultPredicate.HandleAsync<int>(null!)).ParamName);
        Assert.Equal("predicate", Assert.Throws<ArgumentNullException>(() => ResultPredicate.Handle<int>(_ => true).Or<int>(null!)).ParamName);
        Assert.Equal("predicate", Assert.Throws<ArgumentNullException>(() => ResultPredicate.Handle<int>(_ => true).OrAsync<int>(null!)).ParamName);
    }

    [Fact]
    public void The_breaker_counts_a_typed_failing_result_in_every_sync_style()
    {
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions
        {
            TripPolicy = TripPolicy.ConsecutiveFailures(100),
            ShouldHandleResult = ResultPredicate.Handle<Reply>(r => r.Status >= 500),
        });

        breaker.Execute(_ => new Reply(503));
        breaker.TryExecute<object>(_ => new Reply(500));
        breaker.Execute(_ => "not a reply");
        Assert.True(breaker.TryAcquire(out var permit));
        permit.RecordResult(new RetryReply(502));

        var s = breaker.Snapshot();
        Assert.Equal((3, 1), (s.FailedCalls, s.SuccessfulCalls));
    }

    [Fact]
    public async Task An_async_clause_is_awaited_before_the_call_completes_and_the_outcome_counts()
    {
        var verdict = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        CancellationToken seen = default;
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions
        {
            ShouldHandleResult = ResultPredicate.HandleAsync<int>(async (v, ct) => { seen = ct; return await verdict.Task; }),
        });
        using var cts = new CancellationTokenSource();

        var call = breaker.ExecuteAsync(static ct => new ValueTask<int>(7), cts.Token).AsTask();

        Assert.False(call.IsCompleted); // the result waits for its classification
        Assert.Equal(0, breaker.Snapshot().TotalCalls);
        verdict.SetResult(true);
        Assert.Equal(7, await call);
        Assert.Equal(1, breaker.Snapshot().FailedCalls);
        Assert.Equal(cts.Token, seen);
    }

    [Fact]
    public async Task A_caller_that_cancels_while_an_async_clause_runs_is_ignored_not_a_failure()
    {
        using var cts = new CancellationTokenSource();
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions
        {
            ShouldHandleResult = ResultPredicate.HandleAsync<int>(async (v, ct) => { await Task.Delay(Timeout.Infinite, ct); return true; }),
        });

        var call = breaker.TryExecuteAsync(static ct => new ValueTask<int>(7), cts.Token).AsTask();
        cts.Cancel();
        var outcome = await call;

        Assert.Equal(7, outcome.Value); // the caller still gets its result
        var s = breaker.Snapshot();
        Assert.Equal((0, 0, 1), (s.FailedCalls, s.SuccessfulCalls, s.IgnoredCalls));
    }

    [Fact]
    public void A_synchronous_style_waits_for_an_async_clause()
    {
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions
        {
            ShouldHandleResult = ResultPredicate.Handle<int>(v => v == 1).OrAsync<int>(async (v, ct) => { await Task.Yield(); return v == 2; }),
        });

        Assert.Equal(2, breaker.Execute(_ => 2));
        Assert.Equal(3, breaker.Execute(_ => 3));

        Assert.Equal((1, 1), (breaker.Snapshot().FailedCalls, breaker.Snapshot().SuccessfulCalls));
    }

    [Fact]
    public async Task A_throwing_async_clause_makes_the_call_a_failure_and_the_result_still_reaches_the_caller()
    {
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions
        {
            ShouldHandleResult = ResultPredicate.HandleAsync<int>(async (v, ct) => { await Task.Yield(); throw new InvalidOperationException("bug"); }),
        });

        Assert.Equal(5, await breaker.ExecuteAsync(static ct => new ValueTask<int>(5)));
        Assert.Equal(1, breaker.Snapshot().FailedCalls);
    }

    [Fact]
    public async Task A_permit_being_classified_asynchronously_already_counts_as_reported()
    {
        var verdict = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions { ShouldHandleResult = ResultPredicate.HandleAsync<int>((v, ct) => new ValueTask<bool>(verdict.Task)) });
        Assert.True(breaker.TryAcquire(out var permit));

        var reporting = permit.RecordResultAsync(1).AsTask();

        Assert.Throws<InvalidOperationException>(() => permit.RecordSuccess());
        verdict.SetResult(false);
        await reporting;
        Assert.Equal((1, 1), (breaker.Snapshot().SuccessfulCalls, breaker.Snapshot().TotalCalls));
    }

    [Fact]
    public async Task The_caller_retries_on_an_async_ShouldRetryResult_and_the_breaker_sees_one_outcome()
    {
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions());
        var retry = new RetryOptions
        {
            MaxAttempts = 3, BaseDelay = TimeSpan.Zero, Jitter = JitterKind.None,
            ShouldRetryResult = ResultPredicate.HandleAsync<int>(async (v, ct) => { await Task.Yield(); return v == 503; }),
        };
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions { Retry = retry });
        int attempts = 0;

        var result = await caller.ExecuteAsync(ct => new ValueTask<int>(++attempts < 3 ? 503 : 200));

        Assert.Equal((200, 3), (result.Value, result.Attempts));
        Assert.Equal((1, 1), (breaker.Snapshot().SuccessfulCalls, breaker.Snapshot().TotalCalls));
    }

    [ZeroAllocationFact]
    public void A_value_type_result_reaches_its_typed_clause_without_boxing()
    {
        // With the old Func<object?, bool> every int result was boxed for the predicate: 24 B a call.
        var breaker = new CircuitBreaker("typed", new CircuitBreakerOptions
        {
            TripPolicy = TripPolicy.ConsecutiveFailures(1_000_000),
            ShouldHandleResult = ResultPredicate.Handle<int>(static v => v < 0),
        }, TimeProvider.System, new FuseboxMetrics());
        int n = 0;
        void Call()
        {
            breaker.ExecuteAsync(static (s, ct) => new ValueTask<int>(s), ++n % 2 == 0 ? -1 : 1).GetAwaiter().GetResult();
            breaker.Execute(static (s, ct) => s, n);
        }

        Call();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            Call();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(500, breaker.Snapshot().FailedCalls);
    }
}
