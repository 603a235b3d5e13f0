using Fusebox.Tests.Support;

namespace Fusebox.Tests.Resilience;

/// <summary>Hedging on a fake clock: when hedges start, what stops them, who wins, and what the breaker hears.</summary>
public class HedgingTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task Hedges_start_exactly_at_the_delay_the_first_success_wins_and_the_losers_are_cancelled()
    {
        var (breaker, time) = TestBreakers.Create();
        var caller = Hedged(breaker, maxHedges: 2);
        var dependency = new GatedCalls<int>();

        var call = caller.ExecuteAsync(dependency.CallAsync).AsTask();
        await dependency.Started(1);
        time.Advance(Delay - TimeSpan.FromTicks(1));
        Assert.Equal(1, dependency.Count); // nothing but the timer starts a hedge here, and it has not fired
        time.Advance(TimeSpan.FromTicks(1));
        await dependency.Started(2);
        time.Advance(Delay - TimeSpan.FromTicks(1));
        Assert.Equal(2, dependency.Count);
        time.Advance(TimeSpan.FromTicks(1));
        await dependency.Started(3);

        dependency[1].Gate.SetResult(42);
        var result = await call;

        Assert.Equal(42, result.Value);
        Assert.Equal(3, result.Attempts);
        Assert.True(dependency[0].Token.IsCancellationRequested);
        Assert.True(dependency[2].Token.IsCancellationRequested);
        var s = breaker.Snapshot();
        Assert.Equal((1, 0, 2), (s.SuccessfulCalls, s.FailedCalls, s.IgnoredCalls)); // each attempt exactly once; losers say nothing
        time.Advance(Delay * 10);
        Assert.Equal(3, dependency.Count); // no hedge after the call ended
    }

    [Fact]
    public async Task An_empty_budget_sends_no_hedge()
    {
        var (breaker, time) = TestBreakers.Create();
        var budget = new RetryBudget(retryRatio: 0, minimumRetriesPerSecond: 0, timeProvider: time);
        var caller = Hedged(breaker, maxHedges: 3, budget);
        await OnlyTheFirstAttemptIsSentAsync(caller, time);

        Assert.Equal(1, budget.Exhausted);
    }

    [Fact]
    public async Task Each_hedge_spends_one_token_and_the_budget_stops_the_rest()
    {
        var (breaker, time) = TestBreakers.Create();
        var budget = new RetryBudget(retryRatio: 0, minimumRetriesPerSecond: 1, timeToLive: TimeSpan.FromSeconds(1), timeProvider: time); // one token
        var caller = Hedged(breaker, maxHedges: 3, budget);
        var dependency = new GatedCalls<int>();

        var call = caller.ExecuteAsync(dependency.CallAsync).AsTask();
        await dependency.Started(1);
        time.Advance(Delay);
        await dependency.Started(2);
        time.Advance(Delay);
        time.Advance(Delay);
        dependency[0].Gate.SetResult(1);

        Assert.Equal(2, (await call).Attempts);
        Assert.Equal(2, dependency.Count);
        Assert.Equal(0, budget.Available);
        Assert.Equal(1, budget.Exhausted);
    }

    [Fact]
    public async Task When_every_attempt_fails_retryably_the_last_failure_propagates_and_each_counts_once()
    {
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(100) });
        var caller = Hedged(breaker, maxHedges: 2);
        int calls = 0;

        // A retryable failure sends the next hedge at once (gRPC A6), so no clock moves here.
        var ex = await Assert.ThrowsAsync<DependencyDownException>(() =>
            caller.ExecuteAsync<int>(_ => throw new DependencyDownException($"attempt {++calls}")).AsTask());

        Assert.Equal("attempt 3", ex.Message);
        Assert.Equal(3, calls);
        var s = breaker.Snapshot();
        Assert.Equal((0, 3, 0), (s.SuccessfulCalls, s.FailedCalls, s.IgnoredCalls));
    }

    [Fact]
    public async Task A_failure_that_is_not_retryable_ends_the_call_at_once_and_cancels_the_others()
    {
        var (breaker, time) = TestBreakers.Create();
        var caller = Hedged(breaker, maxHedges: 1, shouldRetry: ex => ex is not ArgumentException);
        var dependency = new GatedCalls<int>();

        var call = caller.ExecuteAsync(dependency.CallAsync).AsTask();
        await dependency.Started(1);
        time.Advance(Delay);
        await dependency.Started(2);
        dependency[1].Gate.SetException(new ArgumentException("bad request"));

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => call);
        Assert.Equal("bad request", ex.Message);
        Assert.True(dependency[0].Token.IsCancellationRequested);
        var s = breaker.Snapshot();
        Assert.Equal((0, 1, 1), (s.SuccessfulCalls, s.FailedCalls, s.IgnoredCalls));
    }

    [Fact]
    public async Task A_loser_that_finishes_anyway_reports_its_own_outcome_and_its_result_is_disposed()
    {
        var (breaker, time) = TestBreakers.Create();
        var caller = Hedged(breaker, maxHedges: 1);
        var dependency = new GatedCalls<DisposableResult>(honourCancellation: false);

        var call = caller.ExecuteAsync(dependency.CallAsync).AsTask();
        await dependency.Started(1);
        time.Advance(Delay);
        await dependency.Started(2);
        var winner = new DisposableResult(2);
        dependency[1].Gate.SetResult(winner);
        Assert.Same(winner, (await call).Value);
        Assert.Equal(1, breaker.Snapshot().SuccessfulCalls);

        var late = new DisposableResult(1);
        dependency[0].Gate.SetResult(late); // it ignored its cancelled token and succeeded

        Assert.True(late.Disposed);
        Assert.False(winner.Disposed);
        Assert.Equal(2, breaker.Snapshot().SuccessfulCalls);
    }

    [Fact]
    public async Task The_callers_cancellation_stops_every_attempt_without_a_failure()
    {
        var (breaker, time) = TestBreakers.Create();
        var caller = Hedged(breaker, maxHedges: 1);
        var dependency = new GatedCalls<int>();
        using var cts = new CancellationTokenSource();

        var call = caller.ExecuteAsync(dependency.CallAsync, cancellationToken: cts.Token).AsTask();
        await dependency.Started(1);
        time.Advance(Delay);
        await dependency.Started(2);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        var s = breaker.Snapshot();
        Assert.Equal((0, 0, 2), (s.SuccessfulCalls, s.FailedCalls, s.IgnoredCalls));
    }

    [Fact]
    public async Task A_half_open_probe_is_never_hedged()
    {
        var (breaker, time) = TestBreakers.Create(new CircuitBreakerOptions { BreakDuration = TimeSpan.FromSeconds(1) });
        breaker.Trip();
        time.Advance(TimeSpan.FromSeconds(1));
        var caller = Hedged(breaker, maxHedges: 2);

        await OnlyTheFirstAttemptIsSentAsync(caller, time);
    }

    [Fact]
    public async Task A_hedge_the_admission_stage_refuses_is_not_sent_and_is_no_failure()
    {
        var (breaker, time) = TestBreakers.Create();
        var stage = new RecordingAdmission(slots: 1);
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions
        {
            Retry = new RetryOptions { MaxAttempts = 1 },
            Hedging = new HedgingOptions { Delay = Delay, MaxHedgedAttempts = 2 },
            Admission = stage,
        });
        await OnlyTheFirstAttemptIsSentAsync(caller, time);

        Assert.Equal([AdmissionOutcome.Succeeded], stage.Exits);
        Assert.Equal(1, stage.Free);
        Assert.Equal(0, breaker.Snapshot().FailedCalls);
    }

    [Fact]
    public void Hedging_replaces_retries_and_its_options_are_checked()
    {
        var (breaker, _) = TestBreakers.Create();
        var both = Assert.Throws<ArgumentOutOfRangeException>(() => new ResilientCaller(breaker, new ResilientCallerOptions { Hedging = new HedgingOptions() }));
        Assert.Contains("RetryOptions.MaxAttempts must be 1", both.Message, StringComparison.Ordinal);
        var delay = Assert.Throws<ArgumentOutOfRangeException>(() => new HedgingOptions { Delay = TimeSpan.FromTicks(-1) }.Validate());
        Assert.Contains("HedgingOptions.Delay must be in [00:00:00, 1.00:00:00]", delay.Message, StringComparison.Ordinal);
        var count = Assert.Throws<ArgumentOutOfRangeException>(() => new HedgingOptions { MaxHedgedAttempts = 11 }.Validate());
        Assert.Contains("HedgingOptions.MaxHedgedAttempts must be in [1, 10] (was 11)", count.Message, StringComparison.Ordinal);
    }

    /// <summary>Runs one call for ten hedge delays and asserts that no hedge was sent; the first attempt then succeeds.</summary>
    private static async Task OnlyTheFirstAttemptIsSentAsync(ResilientCaller caller, Microsoft.Extensions.Time.Testing.FakeTimeProvider time)
    {
        var dependency = new GatedCalls<int>();
        var call = caller.ExecuteAsync(dependency.CallAsync).AsTask();
        await dependency.Started(1);
        time.Advance(Delay * 10);
        dependency[0].Gate.SetResult(1);

        Assert.Equal(1, (await call).Attempts);
        Assert.Equal(1, dependency.Count);
    }

    private static ResilientCaller Hedged(CircuitBreaker breaker, int maxHedges, RetryBudget? budget = null, Func<Exception, bool>? shouldRetry = null) =>
        new(breaker, new ResilientCallerOptions
        {
            Retry = new RetryOptions { MaxAttempts = 1, Budget = budget, ShouldRetryException = shouldRetry },
            Hedging = new HedgingOptions { Delay = Delay, MaxHedgedAttempts = maxHedges },
        });
}
