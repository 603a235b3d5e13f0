using System.Globalization;

namespace Fusebox;

/// <summary>
/// A token bucket that limits retries to a fraction of calls, so a fleet of clients cannot turn an outage into a
/// retry storm. Every call deposits <see cref="RetryRatio"/> of a token; every retry takes one whole token. The bucket
/// starts with, and never holds more than, <see cref="MinimumRetries"/> + what recent calls deposited, bounded by
/// <see cref="Capacity"/>. Lock-free; share one instance between callers to give them one budget.
/// </summary>
public sealed class RetryBudget
{
    private const long Scale = 1000; // tokens are kept in thousandths so ratios like 0.2 add up exactly
    private readonly long _deposit;
    private readonly long _capacity;
    private long _tokens;
    private long _exhausted;

    /// <summary>Creates a budget.</summary>
    /// <param name="retryRatio">Retries allowed per call, in (0, 1]; 0.2 means at most 20 % extra load. Default 0.2.</param>
    /// <param name="minimumRetries">Retries available before any call deposited (so that a quiet client can still retry), [0, 1,000,000]. Default 10.</param>
    /// <param name="capacity">The most retries the bucket can save up, [minimumRetries, 1,000,000]. Default 100.</param>
    public RetryBudget(double retryRatio = 0.2, int minimumRetries = 10, int capacity = 100)
    {
        if (!(retryRatio > 0 && retryRatio <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(retryRatio), retryRatio,
                string.Create(CultureInfo.InvariantCulture, $"RetryBudget retryRatio must be in (0, 1] (was {retryRatio})."));
        }

        if (minimumRetries < 0 || minimumRetries > 1_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(minimumRetries), minimumRetries, $"RetryBudget minimumRetries must be in [0, 1000000] (was {minimumRetries}).");
        }

        if (capacity < minimumRetries || capacity > 1_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"RetryBudget capacity must be in [minimumRetries ({minimumRetries}), 1000000] (was {capacity}).");
        }

        RetryRatio = retryRatio;
        MinimumRetries = minimumRetries;
        Capacity = capacity;
        _deposit = (long)Math.Round(retryRatio * Scale);
        _capacity = capacity * Scale;
        _tokens = minimumRetries * Scale;
    }

    /// <summary>Retries allowed per call.</summary>
    public double RetryRatio { get; }

    /// <summary>Retries available at the start.</summary>
    public int MinimumRetries { get; }

    /// <summary>The most retries the bucket can save up.</summary>
    public int Capacity { get; }

    /// <summary>Retries the budget could pay for now.</summary>
    public double Available => Volatile.Read(ref _tokens) / (double)Scale;

    /// <summary>Retries refused since creation.</summary>
    public long Exhausted => Volatile.Read(ref _exhausted);

    /// <summary>Records one call (a whole retry sequence counts once).</summary>
    public void Deposit()
    {
        long current = Volatile.Read(ref _tokens);
        while (current < _capacity)
        {
            long next = Math.Min(_capacity, current + _deposit);
            long seen = Interlocked.CompareExchange(ref _tokens, next, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>Takes one retry from the budget; false when it is empty.</summary>
    public bool TryWithdraw()
    {
        long current = Volatile.Read(ref _tokens);
        while (current >= Scale)
        {
            long seen = Interlocked.CompareExchange(ref _tokens, current - Scale, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        Interlocked.Increment(ref _exhausted);
        return false;
    }
}
