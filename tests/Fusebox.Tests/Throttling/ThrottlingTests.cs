using Fusebox.Internal;
using Fusebox.Tests.Support;

namespace Fusebox.Tests.Throttling;

public class ThrottlingTests
{
    public static TheoryData<string, Action<AdaptiveThrottlingOptions>, string> InvalidOptions => new()
    {
        { "AcceptsMultiplier", o => o.AcceptsMultiplier = 0.5, "[1, 100]" },
        { "AcceptsMultiplier", o => o.AcceptsMultiplier = double.NaN, "[1, 100]" },
        { "Window", o => o.Window = TimeSpan.FromMilliseconds(999), "[00:00:01, 1.00:00:00]" },
        { "Window", o => o.Window = TimeSpan.FromDays(2), "[00:00:01, 1.00:00:00]" },
        { "Buckets", o => o.Buckets = 0, "[1, 1000]" },
        { "Buckets", o => o.Buckets = 1001, "[1, 1000]" },
        { "MaxRejectionProbability", o => o.MaxRejectionProbability = 0, "(0, 1]" },
        { "MaxRejectionProbability", o => o.MaxRejectionProbability = 1.5, "(0, 1]" },
        { "NotAccepted", o => o.NotAccepted = (ThrottlingSignal)7, "Failures or Overload" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void An_option_out_of_range_fails_construction_naming_it(string option, Action<AdaptiveThrottlingOptions> breakIt, string rule)
    {
        var throttling = new AdaptiveThrottlingOptions();
        breakIt(throttling);
        var error = Assert.ThrowsAny<ArgumentException>(() => new CircuitBreaker("t", new CircuitBreakerOptions { AdaptiveThrottling = throttling }));
        Assert.Contains($"CircuitBreakerOptions.AdaptiveThrottling.{option}", error.Message, StringComparison.Ordinal);
        Assert.Contains(rule, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_throttled_call_is_rejected_in_closed_state_with_reason_Throttled_in_every_call_style()
    {
        double draw = 0.9; // admits while p < 0.9
        var (breaker, _) = TestBreakers.Create(Throttled(new AdaptiveThrottlingOptions { RandomSource = () => draw }));
        breaker.FailTimes(3); // p = (3 - 0) / 4 before the next
        draw = 0; // rejects whenever p > 0

        var thrown = await Assert.ThrowsAsync<CircuitOpenException>(() => breaker.ExecuteAsync(_ => ValueTask.FromResult(1)).AsTask());
        Assert.Equal((BreakerState.Closed, RejectionReason.Throttled, (TimeSpan?)null), (thrown.State, thrown.Reason, thrown.RetryAfter));
        Assert.Contains("throttling", thrown.Message, StringComparison.Ordinal);

        var outcome = await breaker.TryExecuteAsync(_ => ValueTask.FromResult(1));
        Assert.True(outcome.IsRejected);
        Assert.Equal(RejectionReason.Throttled, outcome.RejectionReason);
        Assert.False(breaker.TryAcquire(out _));
        Assert.Throws<CircuitOpenException>(() => breaker.Execute(_ => 1));

        var snapshot = breaker.Snapshot();
        Assert.Equal((4L, 4L, BreakerState.Closed), (snapshot.ThrottledCalls, snapshot.RejectedCalls, snapshot.State));
        Assert.Equal((7 - 0) / 8.0, snapshot.ThrottleProbability); // 3 failures + 4 throttled requests, no accepts
    }

    [Fact]
    public void Overload_signal_counts_only_overloads_as_not_accepted()
    {
        var (breaker, _) = TestBreakers.Create(Throttled(new AdaptiveThrottlingOptions
        {
            NotAccepted = ThrottlingSignal.Overload,
            IsOverloadException = ex => ex is TimeoutException,
            RandomSource = () => 0.9,
        }));

        for (int i = 0; i < 10; i++)
        {
            Assert.Throws<DependencyDownException>(() => breaker.Execute<int>(_ => throw new DependencyDownException()));
        }

        Assert.Equal(0, breaker.Snapshot().ThrottleProbability); // ten failures, all accepted: the dependency answered
        Assert.Equal(10, breaker.Snapshot().FailedCalls);

        Assert.Throws<TimeoutException>(() => breaker.Execute<int>(_ => throw new TimeoutException()));
        Assert.True(breaker.TryAcquire(out var permit));
        permit.RecordOverload();
        Assert.Equal(0, breaker.Snapshot().ThrottleProbability); // 12 requests, 10 accepts: 12 - 2·10 < 0
        Assert.Equal(12, breaker.Snapshot().FailedCalls); // an overload is a failure for the breaker too
    }

    [Fact]
    public void An_overloaded_result_counts_as_not_accepted_and_as_a_failure()
    {
        var (breaker, _) = TestBreakers.Create(Throttled(new AdaptiveThrottlingOptions
        {
            NotAccepted = ThrottlingSignal.Overload,
            IsOverloadResult = ResultPredicate.Handle<int>(code => code == 429),
            RandomSource = () => 0.9, // admits while p < 0.9: the second call must run whatever the first did to p
        }));

        breaker.Execute(_ => 429);
        breaker.Execute(_ => 200);

        Assert.Equal((2 - 2.0) / 3, breaker.Snapshot().ThrottleProbability);
        Assert.Equal((1L, 1L), (breaker.Snapshot().FailedCalls, breaker.Snapshot().SuccessfulCalls));
    }

    [Fact]
    public void A_disabled_breaker_is_not_throttled()
    {
        double draw = 0.9;
        var (breaker, _) = TestBreakers.Create(Throttled(new AdaptiveThrottlingOptions { RandomSource = () => draw }));
        breaker.FailTimes(3);
        breaker.Disable();
        draw = 0;

        Assert.True(breaker.TryAcquire(out var permit));
        permit.RecordSuccess();
        Assert.Equal(0, breaker.Snapshot().ThrottledCalls);
    }

    [Fact]
    public void The_window_expires_and_p_falls_back_to_zero()
    {
        var (breaker, time) = TestBreakers.Create(Throttled(new AdaptiveThrottlingOptions { Window = TimeSpan.FromSeconds(10), Buckets = 10, RandomSource = () => 0.9 }));
        breaker.FailTimes(3);
        Assert.Equal(3 / 4.0, breaker.Snapshot().ThrottleProbability);

        time.Advance(TimeSpan.FromSeconds(9.99));
        Assert.Equal(3 / 4.0, breaker.Snapshot().ThrottleProbability); // still in the window's oldest bucket
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, breaker.Snapshot().ThrottleProbability);
    }

    [Fact]
    public void Only_a_system_clock_breaker_with_buckets_of_a_second_or_more_counts_on_the_coarse_clock()
    {
        Assert.True(new ThrottleStage(new AdaptiveThrottlingOptions(), null, 0, systemClock: true).UsesCoarseClock);
        Assert.False(new ThrottleStage(new AdaptiveThrottlingOptions(), null, 0, systemClock: false).UsesCoarseClock);
        Assert.False(new ThrottleStage(new AdaptiveThrottlingOptions { Window = TimeSpan.FromSeconds(5), Buckets = 10 }, null, 0, systemClock: true).UsesCoarseClock);
    }

    /// <summary>On the system clock a request is counted at the coarse clock's time, up to a refresh behind the breaker
    /// clock: it must still be in the window a snapshot reads (no real-time wait: the counts are checked at once).</summary>
    [Fact]
    public void A_system_clock_breaker_counts_its_requests_and_accepts_on_the_coarse_clock()
    {
        var breaker = new CircuitBreaker("coarse-throttling", Throttled(new AdaptiveThrottlingOptions { AcceptsMultiplier = 1, RandomSource = () => 0.99 }));
        Assert.True(breaker.TryAcquire(out var failed));
        failed.RecordFailure();
        Assert.Equal(1 / 2.0, breaker.Snapshot().ThrottleProbability);

        Assert.True(breaker.TryAcquire(out var succeeded)); // drawn 0.99 against p = 0.5: admitted
        succeeded.RecordSuccess();
        Assert.Equal(1 / 3.0, breaker.Snapshot().ThrottleProbability); // (2 − 1·1) / (2 + 1)
    }

    [Fact]
    public void Reconfigure_keeps_the_window_when_its_shape_is_unchanged_and_starts_afresh_otherwise()
    {
        var (breaker, _) = TestBreakers.Create(Throttled(new AdaptiveThrottlingOptions { RandomSource = () => 0.9 }));
        breaker.FailTimes(3);

        breaker.Reconfigure(Throttled(new AdaptiveThrottlingOptions { AcceptsMultiplier = 3 }));
        Assert.Equal(3 / 4.0, breaker.Snapshot().ThrottleProbability);

        breaker.Reconfigure(Throttled(new AdaptiveThrottlingOptions { Buckets = 12 }));
        Assert.Equal(0, breaker.Snapshot().ThrottleProbability);

        breaker.Reconfigure(new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(1000) });
        Assert.Null(breaker.Snapshot().ThrottleProbability);
        Assert.True(breaker.TryAcquire(out var permit)); // off again: the plain path
        permit.RecordSuccess();
    }

    [Fact]
    public void Clone_copies_the_throttling_options()
    {
        var options = Throttled(new AdaptiveThrottlingOptions());
        var copy = options.Clone();
        copy.AdaptiveThrottling!.AcceptsMultiplier = 5;
        Assert.Equal(2, options.AdaptiveThrottling!.AcceptsMultiplier);
    }

    /// <summary>
    /// The window under concurrency: threads add requests and accepts at times spread over three windows (so buckets
    /// are restarted and swept while others add). Every count must leave the totals exactly once: after the threads
    /// join, moving the window past all of them leaves zero, and a window no thread moved keeps every count.
    /// </summary>
    [Fact]
    public async Task Concurrent_adds_and_moves_lose_no_count_and_leak_none()
    {
        const int Threads = 4;
        const int PerThread = 50_000;
        long bucket = TimeSpan.FromSeconds(1).Ticks;
        var moving = new ThrottleWindow(TimeSpan.FromSeconds(10), 10, 0);
        var still = new ThrottleWindow(TimeSpan.FromSeconds(10), 10, 0);
        using var start = new Barrier(Threads);

        await Task.WhenAll(Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
        {
            var random = new Random(t);
            start.SignalAndWait();
            for (int i = 0; i < PerThread; i++)
            {
                long now = (i * 30 / PerThread * bucket) + random.Next(0, (int)bucket); // 0 to 30 s, rising
                moving.AddRequest(now);
                moving.AddAccept(now);
                still.AddRequest(5 * bucket);
            }
        })));

        Assert.Equal(Threads * PerThread, still.Requests);
        Assert.Equal(0, moving.Probability(100 * bucket, 2, 1));
        Assert.Equal((0L, 0L), (moving.Requests, moving.Accepts));
    }

    private static CircuitBreakerOptions Throttled(AdaptiveThrottlingOptions throttling) => new()
    {
        TripPolicy = TripPolicy.ConsecutiveFailures(1000),
        AdaptiveThrottling = throttling,
    };
}
