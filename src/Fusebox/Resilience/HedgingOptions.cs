using System.Globalization;

namespace Fusebox;

/// <summary>
/// Hedging (gRPC A6): when an attempt has not answered within <see cref="Delay"/>, the caller sends another one beside
/// it, up to <see cref="MaxHedgedAttempts"/> more; the first success wins and the others are cancelled through their
/// token. Each hedge takes a token from <see cref="RetryOptions.Budget"/> and is not sent when the budget is empty, so
/// hedges cannot multiply the load in an outage. Each attempt runs under its own breaker permit and reports its own
/// outcome. Hedges replace retries: set <see cref="RetryOptions.MaxAttempts"/> to 1 (see docs/concurrency.md).
/// </summary>
public sealed class HedgingOptions
{
    /// <summary>How long the latest attempt runs before the next hedge is sent; a retryable failure sends it at once.
    /// Default 2 s; [0, 1 day] (0 sends every hedge at once).</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Hedged attempts beside the first. Default 1; [1, 10].</summary>
    public int MaxHedgedAttempts { get; set; } = 1;

    /// <summary>Throws when a value is out of range, naming the option and the allowed range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public void Validate()
    {
        if (Delay < TimeSpan.Zero || Delay > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException("HedgingOptions.Delay", Delay,
                string.Create(CultureInfo.InvariantCulture, $"HedgingOptions.Delay must be in [00:00:00, 1.00:00:00] (was {Delay})."));
        }

        if (MaxHedgedAttempts is < 1 or > 10)
        {
            throw new ArgumentOutOfRangeException("HedgingOptions.MaxHedgedAttempts", MaxHedgedAttempts,
                string.Create(CultureInfo.InvariantCulture, $"HedgingOptions.MaxHedgedAttempts must be in [1, 10] (was {MaxHedgedAttempts})."));
        }
    }

    /// <summary>Returns a copy.</summary>
    public HedgingOptions Clone() => (HedgingOptions)MemberwiseClone();
}
