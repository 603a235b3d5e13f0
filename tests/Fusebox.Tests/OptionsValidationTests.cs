namespace Fusebox.Tests;

public class OptionsValidationTests
{
    public static TheoryData<string, Action<CircuitBreakerOptions>, string> InvalidOptions => new()
    {
        { "BreakDuration", o => o.BreakDuration = TimeSpan.Zero, "greater than zero" },
        { "BreakDuration", o => o.BreakDuration = TimeSpan.FromSeconds(-1), "greater than zero" },
        { "BreakDuration", o => o.BreakDuration = TimeSpan.FromDays(2), "at most 1.00:00:00" },
        { "ProbeTimeout", o => o.ProbeTimeout = TimeSpan.Zero, "greater than zero" },
        { "ProbeTimeout", o => o.ProbeTimeout = TimeSpan.FromMilliseconds(-5), "greater than zero" },
        { "SlowCallThreshold", o => o.SlowCallThreshold = TimeSpan.Zero, "greater than zero" },
        { "SlowCallThreshold", o => o.SlowCallThreshold = TimeSpan.FromSeconds(-1), "greater than zero" },
        { "BreakDurationBackoff", o => o.BreakDurationBackoff = 0.5, "[1, 100]" },
        { "BreakDurationBackoff", o => o.BreakDurationBackoff = 101, "[1, 100]" },
        { "BreakDurationBackoff", o => o.BreakDurationBackoff = double.NaN, "[1, 100]" },
        { "MaxBreakDuration", o => o.MaxBreakDuration = TimeSpan.FromSeconds(10), "[BreakDuration" },
        { "MaxBreakDuration", o => o.MaxBreakDuration = TimeSpan.FromDays(3), "[BreakDuration" },
        { "MaxBreakDuration", o => o.BreakDurationBackoff = 2, "required when BreakDurationBackoff" },
        { "BreakDurationJitter", o => o.BreakDurationJitter = -0.1, "[0, 1)" },
        { "BreakDurationJitter", o => o.BreakDurationJitter = 1, "[0, 1)" },
        { "HalfOpenPermits", o => o.HalfOpenPermits = 0, "[1, 1000]" },
        { "HalfOpenPermits", o => o.HalfOpenPermits = -3, "[1, 1000]" },
        { "HalfOpenPermits", o => o.HalfOpenPermits = 1001, "[1, 1000]" },
        { "SuccessesToClose", o => o.SuccessesToClose = 0, "[1, HalfOpenPermits (3)]" },
        { "SuccessesToClose", o => o.SuccessesToClose = 4, "[1, HalfOpenPermits (3)]" },
        { "TripPolicy", o => o.TripPolicy = null!, "TripPolicy is required" },
        { "SlowCallThreshold", o => o.TripPolicy = TripPolicy.SlowCallRate(0.5, 10, 5), "SlowCallThreshold is required" },
        { "SlowCallThreshold", o => o.TripPolicy = TripPolicy.FailureRate(0.5, TimeSpan.FromSeconds(10), 5, slowCallRateThreshold: 0.5), "SlowCallThreshold is required" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Invalid_option_fails_at_construction_naming_the_option_and_range(string option, Action<CircuitBreakerOptions> corrupt, string expected)
    {
        var options = new CircuitBreakerOptions();
        corrupt(options);

        var ex = Assert.ThrowsAny<ArgumentException>(() => new CircuitBreaker("svc", options));

        Assert.Contains(option, ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, Func<TripPolicy>, string> InvalidPolicies => new()
    {
        { "failureThreshold", () => TripPolicy.ConsecutiveFailures(0), "at least 1" },
        { "failureRateThreshold", () => TripPolicy.FailureRate(0, 10, 5), "(0, 1]" },
        { "failureRateThreshold", () => TripPolicy.FailureRate(1.5, 10, 5), "(0, 1]" },
        { "failureRateThreshold", () => TripPolicy.FailureRate(double.NaN, 10, 5), "(0, 1]" },
        { "minimumCalls", () => TripPolicy.FailureRate(0.5, 10, 0), "at least 1" },
        { "minimumCalls", () => TripPolicy.FailureRate(0.5, 10, 11), "between 1 and windowSize" },
        { "windowSize", () => TripPolicy.FailureRate(0.5, 0, 1), "between 1 and 10,000,000" },
        { "windowSize", () => TripPolicy.FailureRate(0.5, 10_000_001, 1), "between 1 and 10,000,000" },
        { "window", () => TripPolicy.FailureRate(0.5, TimeSpan.Zero, 1), "greater than zero" },
        { "window", () => TripPolicy.FailureRate(0.5, TimeSpan.FromSeconds(-1), 1), "greater than zero" },
        { "buckets", () => TripPolicy.FailureRate(0.5, TimeSpan.FromSeconds(10), 1, buckets: 0), "between 1 and 1000" },
        { "buckets", () => TripPolicy.FailureRate(0.5, TimeSpan.FromSeconds(10), 1, buckets: 1001), "between 1 and 1000" },
        { "slowCallRateThreshold", () => TripPolicy.SlowCallRate(0, 10, 1), "(0, 1]" },
        { "slowCallRateThreshold", () => TripPolicy.FailureRate(0.5, 10, 1, slowCallRateThreshold: 2), "(0, 1]" },
        { "minimumCalls", () => TripPolicy.SlowCallRate(0.5, TimeSpan.FromSeconds(1), 0), "at least 1" },
    };

    [Theory]
    [MemberData(nameof(InvalidPolicies))]
    public void Invalid_policy_argument_is_rejected_with_its_name_and_range(string parameter, Func<TripPolicy> create, string expected)
    {
        var ex = Assert.ThrowsAny<ArgumentOutOfRangeException>(create);

        Assert.Equal(parameter, ex.ParamName);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Name_is_required(string? name)
    {
        Assert.ThrowsAny<ArgumentException>(() => new CircuitBreaker(name!));
    }

    [Fact]
    public void Defaults_are_the_seeds()
    {
        var options = new CircuitBreakerOptions();

        var policy = Assert.IsType<ConsecutiveFailuresPolicy>(options.TripPolicy);
        Assert.Equal(5, policy.FailureThreshold);
        Assert.Equal(TimeSpan.FromSeconds(30), options.BreakDuration);
        Assert.Equal(3, options.HalfOpenPermits);
        Assert.Null(options.SuccessesToClose);
        Assert.Null(options.SlowCallThreshold);
        Assert.Equal(1, options.BreakDurationBackoff);
        Assert.Equal(0, options.BreakDurationJitter);
    }

    [Fact]
    public void Options_are_copied_at_construction_so_later_changes_do_not_leak_in()
    {
        var options = new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(2) };
        var (breaker, _) = Support.TestBreakers.Create(options);

        options.TripPolicy = TripPolicy.ConsecutiveFailures(100);
        options.BreakDuration = TimeSpan.FromHours(1);

        Assert.IsType<ConsecutiveFailuresPolicy>(breaker.Options.TripPolicy);
        Assert.Equal(2, ((ConsecutiveFailuresPolicy)breaker.Options.TripPolicy).FailureThreshold);
        Assert.Equal(TimeSpan.FromSeconds(30), breaker.Options.BreakDuration);
    }

    [Fact]
    public void Valid_edge_values_are_accepted()
    {
        var options = new CircuitBreakerOptions
        {
            BreakDuration = TimeSpan.FromDays(1),
            MaxBreakDuration = TimeSpan.FromDays(1),
            BreakDurationBackoff = 100,
            BreakDurationJitter = 0.999,
            HalfOpenPermits = 1000,
            SuccessesToClose = 1000,
            ProbeTimeout = TimeSpan.FromTicks(1),
            SlowCallThreshold = TimeSpan.FromTicks(1),
            TripPolicy = TripPolicy.FailureRate(1, 1, 1, slowCallRateThreshold: 1),
        };

        var breaker = new CircuitBreaker("edge", options);

        Assert.Equal(BreakerState.Closed, breaker.State);
    }

    [Fact]
    public void Registry_options_are_validated()
    {
        var ex = Assert.ThrowsAny<ArgumentOutOfRangeException>(() =>
            new CircuitBreakerRegistry(new CircuitBreakerRegistryOptions { MaxBreakers = 0 }));
        Assert.Contains("MaxBreakers must be in [1, 10000000]", ex.Message, StringComparison.Ordinal);

        var idle = Assert.ThrowsAny<ArgumentOutOfRangeException>(() =>
            new CircuitBreakerRegistry(new CircuitBreakerRegistryOptions { EvictAfterIdle = TimeSpan.Zero }));
        Assert.Contains("EvictAfterIdle must be greater than zero", idle.Message, StringComparison.Ordinal);

        var nested = Assert.ThrowsAny<ArgumentException>(() =>
            new CircuitBreakerRegistry(new CircuitBreakerRegistryOptions { DefaultOptions = new() { HalfOpenPermits = 0 } }));
        Assert.Contains("HalfOpenPermits", nested.Message, StringComparison.Ordinal);
    }
}
