namespace Fusebox.RateLimiting.Tests;

public class OptionsTests
{
    public static TheoryData<Action<AdaptiveConcurrencyOptions>, string, string> Invalid => new()
    {
        { o => o.MaxLimit = 0, "MaxLimit", "must be in [1, 1,000,000]" },
        { o => o.MinLimit = 201, "MinLimit", "must be in [1, 200]" },
        { o => o.InitialLimit = 10, "InitialLimit", "must be in [20, 200]" },
        { o => o.QueueSize = -1, "QueueSize", "must be in [0, 1,000,000]" },
        { o => o.LongWindow = 9, "LongWindow", "must be in [10, 1,000,000]" },
        { o => o.Smoothing = 0, "Smoothing", "must be in (0, 1]" },
        { o => o.Smoothing = double.NaN, "Smoothing", "must be in (0, 1]" },
        { o => o.RttTolerance = 0.9, "RttTolerance", "must be in [1, 100]" },
        { o => o.AimdBackoffRatio = 1, "AimdBackoffRatio", "must be in [0.5, 1)" },
        { o => o.AimdTimeout = TimeSpan.Zero, "AimdTimeout", "must be in (0, 1 day]" },
        { o => o.Algorithm = (ConcurrencyAlgorithm)7, "Algorithm", "must be Gradient2 or Aimd" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void An_invalid_option_is_refused_at_construction_naming_it_and_its_range(Action<AdaptiveConcurrencyOptions> change, string name, string rule)
    {
        var options = new AdaptiveConcurrencyOptions();
        change(options);

        var error = Assert.ThrowsAny<ArgumentException>(() => new AdaptiveConcurrencyLimiter(options));

        Assert.Equal(name, error.ParamName);
        Assert.Contains($"AdaptiveConcurrencyOptions.{name} {rule}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_limiter_keeps_a_copy_of_its_options()
    {
        var options = new AdaptiveConcurrencyOptions { MinLimit = 1, InitialLimit = 2, MaxLimit = 2 };
        using var limiter = new AdaptiveConcurrencyLimiter(options);
        options.InitialLimit = 1;
        options.MaxLimit = 1;

        using var first = limiter.TryAcquire();
        using var second = limiter.TryAcquire();
        Assert.True(second.IsAcquired);
    }
}
