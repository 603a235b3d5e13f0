using Microsoft.Extensions.Time.Testing;
using Polly;

namespace Fusebox.Polly.Tests;

public class OptionsTests
{
    private readonly CircuitBreakerRegistry _registry = TestBreakers.Registry(new FakeTimeProvider());

    [Fact]
    public void A_missing_registry_is_refused_when_the_strategy_is_added()
    {
        var error = Assert.Throws<ArgumentException>(() => new ResiliencePipelineBuilder().AddFuseboxCircuitBreaker(new FuseboxStrategyOptions { BreakerName = "x" }));

        Assert.Contains("FuseboxStrategyOptions.Registry is required", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void A_missing_or_empty_name_is_refused(string? name)
    {
        var error = Assert.Throws<ArgumentException>(() => new ResiliencePipelineBuilder<int>()
            .AddFuseboxCircuitBreaker(new FuseboxStrategyOptions<int> { Registry = _registry, BreakerName = name }));

        Assert.Contains("FuseboxStrategyOptions.BreakerName must be a non-empty name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_and_a_selector_together_are_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new FuseboxStrategyOptions { Registry = _registry, BreakerName = "x", BreakerNameSelector = _ => "y" }.Validate());

        Assert.Contains("not both", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_undefined_RejectWith_is_refused_with_the_allowed_values()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new FuseboxStrategyOptions { Registry = _registry, BreakerName = "x", RejectWith = (FuseboxRejection)7 }.Validate());

        Assert.Contains("RejectWith must be BrokenCircuitException or CircuitOpenException (was 7)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_BreakerOptions_are_refused_by_their_own_validation()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new FuseboxStrategyOptions
        {
            Registry = _registry,
            BreakerName = "x",
            BreakerOptions = new CircuitBreakerOptions { HalfOpenPermits = 0 },
        }.Validate());

        Assert.Contains("HalfOpenPermits must be in [1, 1000]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_strategy_is_named_for_Pollys_telemetry_by_default()
    {
        Assert.Equal("FuseboxCircuitBreaker", new FuseboxStrategyOptions().Name);
        Assert.Equal(FuseboxRejection.BrokenCircuitException, new FuseboxStrategyOptions<int>().RejectWith);
    }
}
