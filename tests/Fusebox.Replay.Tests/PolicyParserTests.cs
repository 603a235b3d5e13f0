namespace Fusebox.Replay.Tests;

public class PolicyParserTests
{
    [Fact]
    public void Consecutive_failures_with_break_settings()
    {
        var c = PolicyParser.Parse("name=c5,consecutive:5,break=30s,backoff=2,max=5m,jitter=0.1,probes=2,close=1,probe-timeout=500ms");

        Assert.Equal("c5", c.Name);
        Assert.Equal(TripPolicy.ConsecutiveFailures(5), c.Options.TripPolicy);
        Assert.Equal((TimeSpan.FromSeconds(30), 2.0, TimeSpan.FromMinutes(5), 0.1, 2, 1, TimeSpan.FromMilliseconds(500)),
            (c.Options.BreakDuration, c.Options.BreakDurationBackoff, c.Options.MaxBreakDuration, c.Options.BreakDurationJitter, c.Options.HalfOpenPermits,
             c.Options.SuccessesToClose, c.Options.ProbeTimeout));
    }

    [Theory]
    [InlineData("rate:0.5/100calls/min20", 0.5, 100, 20, null)]
    [InlineData("rate:0.25/10calls/min10/slow0.8,slow=1.5s", 0.25, 10, 10, 0.8)]
    public void Failure_rate_over_a_count_window(string text, double rate, int size, int min, double? slowRate)
    {
        var policy = Assert.IsType<CountWindowPolicy>(PolicyParser.Parse(text).Options.TripPolicy);

        Assert.Equal((rate, size, min, slowRate), (policy.FailureRateThreshold!.Value, policy.WindowSize, policy.MinimumCalls, policy.SlowCallRateThreshold));
    }

    [Fact]
    public void Failure_rate_over_a_time_window_with_buckets()
    {
        var policy = Assert.IsType<TimeWindowPolicy>(PolicyParser.Parse("rate:0.5/10s/min20/buckets5").Options.TripPolicy);

        Assert.Equal((0.5, TimeSpan.FromSeconds(10), 20, 5), (policy.FailureRateThreshold!.Value, policy.Window, policy.MinimumCalls, policy.Buckets));
    }

    [Fact]
    public void Slow_call_rate_needs_and_takes_the_threshold()
    {
        var c = PolicyParser.Parse("slowrate:0.5/1m/min5,slow=200ms");
        var policy = Assert.IsType<TimeWindowPolicy>(c.Options.TripPolicy);

        Assert.Equal((null, 0.5, TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(200)), (policy.FailureRateThreshold, policy.SlowCallRateThreshold!.Value, policy.Window, c.Options.SlowCallThreshold!.Value));
    }

    [Fact]
    public void Without_a_name_the_text_is_the_name_and_without_a_policy_the_library_default_applies()
    {
        var c = PolicyParser.Parse("break=10s");

        Assert.Equal(("break=10s", TripPolicy.ConsecutiveFailures(5)), (c.Name, c.Options.TripPolicy));
    }

    [Theory]
    [InlineData("consecutive:0", "consecutive:0", "whole number in [1,")]
    [InlineData("consecutive:5,break=30", "break=30", "not a duration")]
    [InlineData("consecutive:5,break=-1s", "break=-1s", "not a duration")]
    [InlineData("consecutive:5,breaks=1s", "breaks=1s", "unknown setting 'breaks'; allowed: name=TEXT, break=DURATION")]
    [InlineData("linear:5", "linear:5", "unknown trip policy 'linear'; allowed: consecutive:N")]
    [InlineData("rate:1.5/100calls/min20", "rate:1.5/100calls/min20", "rate in (0, 1]")]
    [InlineData("rate:0.5/100calls", "rate:0.5/100calls", "expected RATE/WINDOW/minN")]
    [InlineData("rate:0.5/100calls/20", "rate:0.5/100calls/20", "unknown part '20'")]
    [InlineData("rate:0.5/10calls/min20", "rate:0.5/10calls/min20", "minimumCalls must be between 1 and windowSize (10) (was 20)")]
    [InlineData("rate:0.5/100calls/min20/buckets4", "rate:0.5/100calls/min20/buckets4", "bucketsN applies to time windows only")]
    [InlineData("consecutive:5,rate:0.5/10s/min2", "rate:0.5/10s/min2", "a second trip policy (the first was 'consecutive:5')")]
    [InlineData("consecutive:5,oops", "oops", "expected a trip policy")]
    [InlineData("slowrate:0.5/100calls/min5", "slowrate:0.5/100calls/min5", "SlowCallThreshold is required")]
    [InlineData("backoff=2", "backoff=2", "MaxBreakDuration is required")]
    public void A_bad_policy_names_the_token_and_what_is_allowed(string text, string token, string allowed)
    {
        var error = Assert.Throws<PolicySyntaxException>(() => PolicyParser.Parse(text));

        Assert.Equal((text, token), (error.Policy, error.Token));
        Assert.StartsWith($"--policy \"{text}\": '{token}': ", error.Message, StringComparison.Ordinal);
        Assert.Contains(allowed, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", error.Message, StringComparison.Ordinal);
    }
}
