using static Fusebox.Replay.Tests.Traces;

namespace Fusebox.Replay.Tests;

public class ReplayTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    /// <summary>Successes every second to 10 s, 5 failures at 10 s, then a success at 10 s and every second to 60 s.</summary>
    internal static OutcomeTrace FiveFailuresAtTenSeconds() => Csv(
    [
        .. Every(1, 0, 10, "success"),
        .. Enumerable.Repeat((10.0, "failure", 0.0), 5),
        .. Every(1, 10, 61, "success"),
    ]);

    [Fact]
    public void Five_consecutive_failures_open_at_exactly_their_time_and_reject_until_the_break_ends()
    {
        var r = ReplayOne(FiveFailuresAtTenSeconds(), "name=c5,consecutive:5,break=30s");

        Assert.Equal([new(BreakerState.Open, S(10), S(40), TransitionReason.ConsecutiveFailures), new BreakerInterval(BreakerState.HalfOpen, S(40), S(42), TransitionReason.BreakElapsed)],
            r.Intervals);
        // 10 s (after the failures) to 39 s: 30 calls, all of them successes the breaker turned away.
        Assert.Equal((30, 30, 5, 0, 3, S(10)), (r.Rejected, r.SuccessesRejected, r.FailuresLetThrough, r.FailuresRejected, r.StateChanges, r.FirstRejectedAt!.Value));
        Assert.Equal((1, S(10), S(30)), (r.TimesOpened, r.FirstOpenAt!.Value, r.TimeOpen));
    }

    [Fact]
    public void A_threshold_the_trace_never_reaches_never_opens()
    {
        var r = ReplayOne(FiveFailuresAtTenSeconds(), "consecutive:6");

        Assert.Equal((0, 0, 5, 0, (TimeSpan?)null), (r.Intervals.Count, r.Rejected, r.FailuresLetThrough, r.StateChanges, r.FirstOpenAt));
    }

    [Fact]
    public void A_failure_rate_over_a_count_window_opens_on_the_call_that_reaches_it()
    {
        // Alternating success/failure: 5 of 10 failed after the 10th call (9 s), the first moment min10 is met.
        var trace = Csv([.. Enumerable.Range(0, 10).Select(i => ((double)i, i % 2 == 1 ? "failure" : "success", 0.0)), .. Every(1, 10, 20, "failure")]);

        var r = ReplayOne(trace, "rate:0.5/10calls/min10,break=5s,probes=1");

        Assert.Equal(new BreakerInterval(BreakerState.Open, S(9), S(14), TransitionReason.FailureRate), r.Intervals[0]);
        // 10–13 s rejected; the probe at 14 s fails and re-opens for another 5 s (15–18 s rejected); 19 s probes again.
        Assert.Equal(new BreakerInterval(BreakerState.Open, S(14), S(19), TransitionReason.ProbeFailed), r.Intervals[2]);
        Assert.Equal((8, 8, 5 + 2), (r.Rejected, r.FailuresRejected, r.FailuresLetThrough));
    }

    [Fact]
    public void A_failure_rate_over_a_time_window_opens_once_the_minimum_is_in_the_window()
    {
        var trace = Csv([.. Every(1, 0, 4, "failure"), .. Every(1, 4, 8, "success")]);

        var r = ReplayOne(trace, "rate:0.5/10s/min4,break=2s");

        Assert.Equal(new BreakerInterval(BreakerState.Open, S(3), S(5), TransitionReason.FailureRate), r.OpenIntervals.Single());
        Assert.Equal(1, r.Rejected); // the call at 4 s
    }

    [Theory]
    [InlineData("100ms", 3, 3.1)] // 150, 150 and 100 ms reach 100 ms: 3 of 4 slow, opens when the 4th completes (3 s + 100 ms)
    [InlineData("151ms", 0, null)] // no call reaches 151 ms: never slow, never open
    public void Slow_calls_are_measured_by_their_duration_on_the_replay_clock(string threshold, int slow, double? opensAt)
    {
        var trace = Csv((0, "success", 150), (1, "success", 50), (2, "success", 150), (3, "success", 100), (5, "success", 0));

        var r = ReplayOne(trace, $"slowrate:0.5/4calls/min4,slow={threshold},break=10s");

        Assert.Equal((slow, opensAt is { } at ? S(at) : (TimeSpan?)null), (r.SlowCalls, r.FirstOpenAt));
        Assert.Equal(opensAt is null ? 0 : 1, r.Rejected);
    }

    [Fact]
    public void Overlapping_calls_complete_in_time_order_not_trace_order()
    {
        // A starts first but completes last (10 s); B and C complete at 2 s and 3 s: the two consecutive failures are
        // B and C, so the breaker opens at 3 s. Completing each call where it is admitted would open at 1 s.
        var trace = Csv((0, "failure", 10_000), (1, "failure", 1_000), (3, "failure", 0), (5, "success", 0), (12, "success", 0));

        var r = ReplayOne(trace, "consecutive:2,break=5s,probes=1");

        Assert.Equal(S(3), r.FirstOpenAt);
        Assert.Equal(S(5), r.FirstRejectedAt); // the call at 5 s
        // A ran (a failure let through) but completed in the open state's generation: ignored, it does not re-open.
        Assert.Equal((1, 3, 1), (r.Rejected, r.FailuresLetThrough, r.TimesOpened));
        Assert.Equal([BreakerState.Open, BreakerState.HalfOpen, BreakerState.Closed], r.Transitions.Select(t => t.State));
    }

    [Fact]
    public void A_completion_at_the_instant_of_an_admission_decides_it()
    {
        var r = ReplayOne(Csv((0, "failure", 1_000), (1, "success", 0)), "consecutive:1,break=5s");

        Assert.Equal((S(1), 1), (r.FirstOpenAt!.Value, r.Rejected));
    }

    [Theory]
    [InlineData("consecutive:5", 2, 0, 7)] // rejects both calls the recording rejected: agrees on all 7
    [InlineData("consecutive:10", 0, 2, 5)] // admits them: their outcome is unknown, counted apart, not guessed
    public void Calls_the_recording_rejected_are_rejected_or_counted_as_unknown(string policy, int rejected, int unknown, int matches)
    {
        var trace = Csv([.. Every(1, 0, 5, "failure"), (5, "rejected", 0), (6, "rejected", 0)]);

        var r = ReplayOne(trace, policy + ",break=30s");

        Assert.Equal((rejected, unknown, matches, 0, 0), (r.Rejected, r.UnknownAdmitted, r.MatchesRecording, r.SuccessesRejected, r.FailuresRejected));
    }

    [Fact]
    public void Backoff_lengthens_each_reopen_up_to_the_maximum()
    {
        var trace = Csv((0, "failure", 0), (1, "failure", 0), (3, "failure", 0), (7, "failure", 0), (11, "success", 0), (20, "success", 0));

        var r = ReplayOne(trace, "consecutive:1,break=1s,backoff=2,max=4s,probes=1");

        Assert.Equal([(S(0), S(1)), (S(1), S(3)), (S(3), S(7)), (S(7), S(11))], r.OpenIntervals.Select(i => (i.Start, i.End)));
        Assert.Equal(TransitionReason.ProbeFailed, r.OpenIntervals.Last().Reason);
    }

    [Fact]
    public void Configurations_are_replayed_independently_in_the_order_given()
    {
        var report = WhatIfReplay.Run(FiveFailuresAtTenSeconds(), [PolicyParser.Parse("name=a,consecutive:5,break=30s"), PolicyParser.Parse("name=b,consecutive:5,break=1s")]);

        Assert.Equal([("a", 30), ("b", 1)], report.Results.Select(r => (r.Name, r.Rejected)));
    }

    [Fact]
    public void Two_configurations_with_one_name_are_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => WhatIfReplay.Run(FiveFailuresAtTenSeconds(), [PolicyParser.Parse("name=a,consecutive:5"), PolicyParser.Parse("name=a,consecutive:3")]));

        Assert.Contains("Two configurations are named 'a'", error.Message, StringComparison.Ordinal);
    }
}
