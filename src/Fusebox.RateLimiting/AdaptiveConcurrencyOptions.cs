using System.Globalization;

namespace Fusebox.RateLimiting;

/// <summary>Options of an <see cref="AdaptiveConcurrencyLimiter"/>. The defaults are Netflix concurrency-limits' for
/// Gradient2 (initial 20, min 20, max 200, smoothing 0.2, queue 4, long window 600, tolerance 1.5) and AIMD.</summary>
public sealed class AdaptiveConcurrencyOptions
{
    /// <summary>The largest limit accepted for <see cref="MaxLimit"/>.</summary>
    public const int MaxAllowedLimit = 1_000_000;

    /// <summary>The algorithm. Default <see cref="ConcurrencyAlgorithm.Gradient2"/>.</summary>
    public ConcurrencyAlgorithm Algorithm { get; set; } = ConcurrencyAlgorithm.Gradient2;

    /// <summary>Concurrent calls allowed before the first sample. Default 20; [MinLimit, MaxLimit].</summary>
    public int InitialLimit { get; set; } = 20;

    /// <summary>The limit never goes below this. Default 20; [1, MaxLimit].</summary>
    public int MinLimit { get; set; } = 20;

    /// <summary>The limit never goes above this. Default 200; [MinLimit, 1,000,000].</summary>
    public int MaxLimit { get; set; } = 200;

    /// <summary>Gradient2: weight of a new estimate against the current limit. Default 0.2; (0, 1].</summary>
    public double Smoothing { get; set; } = 0.2;

    /// <summary>Gradient2: slots of queueing headroom added to each estimate (what lets the limit grow while latency
    /// is steady). Default 4; [0, 1,000,000].</summary>
    public int QueueSize { get; set; } = 4;

    /// <summary>Gradient2: samples in the long-term latency average (an exponential moving average after a warm-up of
    /// 10 plain-average samples). Default 600; [10, 1,000,000].</summary>
    public int LongWindow { get; set; } = 600;

    /// <summary>Gradient2: how much slower than the long-term average a sample may be before the limit shrinks.
    /// Default 1.5; [1, 100].</summary>
    public double RttTolerance { get; set; } = 1.5;

    /// <summary>AIMD: the fraction of the limit kept on a drop. Default 0.9; [0.5, 1).</summary>
    public double AimdBackoffRatio { get; set; } = 0.9;

    /// <summary>AIMD: a call slower than this counts as a drop. Default 5 s; (0, 1 day].</summary>
    public TimeSpan AimdTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The clock latency is measured with. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Throws when a value is out of range, naming the option and the allowed range.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Algorithm))
        {
            throw OutOfRange(nameof(Algorithm), Algorithm, "must be Gradient2 or Aimd");
        }

        Check(nameof(MaxLimit), MaxLimit, 1, MaxAllowedLimit);
        Check(nameof(MinLimit), MinLimit, 1, MaxLimit);
        Check(nameof(InitialLimit), InitialLimit, MinLimit, MaxLimit);
        Check(nameof(QueueSize), QueueSize, 0, MaxAllowedLimit);
        Check(nameof(LongWindow), LongWindow, 10, 1_000_000);
        if (!(Smoothing > 0 && Smoothing <= 1))
        {
            throw OutOfRange(nameof(Smoothing), Smoothing, "must be in (0, 1]");
        }

        if (!(RttTolerance >= 1 && RttTolerance <= 100))
        {
            throw OutOfRange(nameof(RttTolerance), RttTolerance, "must be in [1, 100]");
        }

        if (!(AimdBackoffRatio >= 0.5 && AimdBackoffRatio < 1))
        {
            throw OutOfRange(nameof(AimdBackoffRatio), AimdBackoffRatio, "must be in [0.5, 1)");
        }

        if (AimdTimeout <= TimeSpan.Zero || AimdTimeout > TimeSpan.FromDays(1))
        {
            throw OutOfRange(nameof(AimdTimeout), AimdTimeout, "must be in (0, 1 day]");
        }
    }

    /// <summary>A copy, so that later changes to this instance do not reach a limiter built from it.</summary>
    public AdaptiveConcurrencyOptions Clone() => (AdaptiveConcurrencyOptions)MemberwiseClone();

    private static void Check(string name, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            throw OutOfRange(name, value, string.Create(CultureInfo.InvariantCulture, $"must be in [{min:N0}, {max:N0}]"));
        }
    }

    private static ArgumentOutOfRangeException OutOfRange(string name, object value, string rule) =>
        new(name, value, string.Create(CultureInfo.InvariantCulture, $"AdaptiveConcurrencyOptions.{name} {rule} (was {value})."));
}
