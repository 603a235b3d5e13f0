using System.Globalization;

namespace Fusebox;

/// <summary>
/// Limits retries to a fraction of recent calls plus a small per-second floor, so a fleet of clients cannot turn an
/// outage into a retry storm. The semantics are Finagle's <c>RetryBudget(ttl, minRetriesPerSec, percentCanRetry)</c>:
/// every call <see cref="Deposit">deposits</see> and every retry <see cref="TryWithdraw()">withdraws</see>, and both
/// expire after <see cref="TimeToLive"/>. Within any time-to-live, retries never exceed
/// <c><see cref="MinimumRetriesPerSecond"/> × TimeToLive + <see cref="RetryRatio"/> × calls</c> of that time-to-live.
/// </summary>
/// <remarks>
/// <para>So a budget cannot bank: a client that sent 10 calls a second for an hour has, when the outage starts, the
/// retries of its last <see cref="TimeToLive"/> only (20 with the defaults' 0.2, plus the floor), not a stock saved
/// up over the hour. The floor, <see cref="MinimumRetriesPerSecond"/> × <see cref="TimeToLive"/> retries, is granted
/// afresh in every time-to-live, so a quiet client, or one that has just started, can still retry. The ratio is
/// exact: it is kept as the decimal number it was written as (15 significant digits), so 0.0004 grants one retry
/// per 2,500 calls and 0.0015 grants 15 per 10,000.</para>
/// <para>Time is counted in <see cref="BudgetBuckets.Count"/> buckets of <see cref="TimeToLive"/> / 10, aligned to
/// the budget's creation, and read only through the <see cref="TimeProvider"/> given to the constructor (the system
/// clock by default; a budget shared by callers on different clocks uses its own). A deposit or withdrawal therefore
/// expires between 9/10 of <see cref="TimeToLive"/> and all of it after it was made.</para>
/// <para>Cost: <see cref="Deposit"/> (on every call) is one clock read and one interlocked increment, wait-free; it
/// allocates nothing and takes no lock. <see cref="TryWithdraw()"/> (on a retry only) reads the 20 slots and takes one
/// compare-and-swap, repeated only when another retry won the same moment; it allocates nothing and takes no lock.
/// Share one instance between callers to give them one budget.</para>
/// </remarks>
public sealed class RetryBudget
{
    private readonly TimeProvider _timeProvider;
    private readonly long _origin;
    private readonly long _bucketTimestampTicks;
    private readonly decimal _ratio;
    private readonly long _reserve;
    private readonly long[] _deposits = BudgetBuckets.NewRing();

    // A withdrawal bucket holds no count but the value of _withdrawn when the bucket saw its first withdrawal attempt:
    // every withdrawal CASes the single total, so two retries can never both spend the last token, and the withdrawals
    // within the time-to-live are the total minus the oldest live bucket's mark.
    private readonly long[] _withdrawalMarks = BudgetBuckets.NewRing();
    private long _withdrawn;
    private long _exhausted;

    /// <summary>Creates a budget.</summary>
    /// <param name="retryRatio">Retries allowed per call, in [0, 1]: 0.2 means at most 20 % extra load on top of the floor.
    /// Default 0.2. 0 leaves only the floor.</param>
    /// <param name="minimumRetriesPerSecond">The floor: retries always allowed per second of <paramref name="timeToLive"/>,
    /// whatever the call rate, in [0, 1,000,000]. Default 10. 0 leaves only the ratio.</param>
    /// <param name="timeToLive">How long a deposit or withdrawal counts, in [1 s, 60 s]. Default 10 s.</param>
    /// <param name="timeProvider">The clock deposits expire on. Default <see cref="TimeProvider.System"/>.</param>
    public RetryBudget(double retryRatio = 0.2, int minimumRetriesPerSecond = 10, TimeSpan? timeToLive = null, TimeProvider? timeProvider = null)
    {
        var ttl = timeToLive ?? TimeSpan.FromSeconds(10);
        if (!(retryRatio >= 0 && retryRatio <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(retryRatio), retryRatio,
                string.Create(CultureInfo.InvariantCulture, $"RetryBudget retryRatio must be in [0, 1] (was {retryRatio})."));
        }

        if (minimumRetriesPerSecond is < 0 or > 1_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(minimumRetriesPerSecond), minimumRetriesPerSecond,
                string.Create(CultureInfo.InvariantCulture, $"RetryBudget minimumRetriesPerSecond must be in [0, 1000000] (was {minimumRetriesPerSecond})."));
        }

        if (ttl < TimeSpan.FromSeconds(1) || ttl > TimeSpan.FromSeconds(60))
        {
            throw new ArgumentOutOfRangeException(nameof(timeToLive), ttl,
                string.Create(CultureInfo.InvariantCulture, $"RetryBudget timeToLive must be in [1 s, 60 s] (was {ttl.TotalSeconds} s)."));
        }

        _timeProvider = timeProvider ?? TimeProvider.System;
        RetryRatio = retryRatio;
        MinimumRetriesPerSecond = minimumRetriesPerSecond;
        TimeToLive = ttl;
        _ratio = (decimal)retryRatio; // the shortest decimal that round-trips to 15 digits: 0.0015 is 0.0015, not 0.00149999…
        _reserve = minimumRetriesPerSecond * ttl.Ticks / TimeSpan.TicksPerSecond;
        long ttlTimestampTicks = (long)((decimal)ttl.Ticks * _timeProvider.TimestampFrequency / TimeSpan.TicksPerSecond);
        _bucketTimestampTicks = Math.Max(1, ttlTimestampTicks / BudgetBuckets.Count);
        _origin = _timeProvider.GetTimestamp();
    }

    /// <summary>Retries allowed per call, on top of the floor.</summary>
    public double RetryRatio { get; }

    /// <summary>Retries always allowed per second of <see cref="TimeToLive"/>.</summary>
    public int MinimumRetriesPerSecond { get; }

    /// <summary>How long a deposit or withdrawal counts.</summary>
    public TimeSpan TimeToLive { get; }

    /// <summary>Retries the budget would pay for now: the floor plus the ratio of this time-to-live's calls, minus its retries.</summary>
    public long Available
    {
        get
        {
            long epoch = CurrentEpoch();
            while (true)
            {
                long newest = epoch;
                long balance = Balance(epoch, Volatile.Read(ref _withdrawn), ref newest);
                if (newest == epoch)
                {
                    return Math.Max(0, balance);
                }

                epoch = newest;
            }
        }
    }

    /// <summary>Retries refused since creation.</summary>
    public long Exhausted => Volatile.Read(ref _exhausted);

    /// <summary>Records one call (a whole retry sequence counts once).</summary>
    public void Deposit() => BudgetBuckets.Add(_deposits, CurrentEpoch());

    /// <summary>Takes one retry from the budget; false when it is spent.</summary>
    /// <remarks>
    /// Interleavings. The decision and the spending are one compare-and-swap of <c>_withdrawn</c> from the total the
    /// decision was made on: a retry granted by another thread in between makes the swap fail, and this thread decides
    /// again on the new total. A deposit in between only adds to what the decision saw. The bucket's mark is written
    /// before the total is read, so every withdrawal attributed to a bucket is counted after that bucket's mark (a
    /// mark can only be lower than the total at its bucket's first grant, which counts a retry for longer, never less).
    /// A slot newer than this thread's clock read (another thread read the clock later and rolled it) restarts the
    /// decision from that newer bucket, so it is never made on a mix of two windows.
    /// </remarks>
    public bool TryWithdraw() => TryWithdraw(beforeSwap: null);

    /// <summary><see cref="TryWithdraw()"/> with a hook run between the decision and its swap, for tests of that interleaving.</summary>
    internal bool TryWithdraw(Action? beforeSwap)
    {
        long epoch = CurrentEpoch();
        while (true)
        {
            ref long mark = ref BudgetBuckets.SlotOf(_withdrawalMarks, epoch);
            long seenMark = Volatile.Read(ref mark);
            int markAge = BudgetBuckets.Age(seenMark, epoch);
            if (markAge < 0)
            {
                epoch -= markAge;
                continue;
            }

            if (markAge > 0)
            {
                // First attempt in this bucket: whoever wins, the mark is a total read before any grant of this bucket.
                Interlocked.CompareExchange(ref mark, BudgetBuckets.Pack(epoch, (uint)Volatile.Read(ref _withdrawn)), seenMark);
                continue;
            }

            long total = Volatile.Read(ref _withdrawn);
            long newest = epoch;
            long balance = Balance(epoch, total, ref newest);
            if (newest != epoch)
            {
                epoch = newest;
                continue;
            }

            if (balance < 1)
            {
                Interlocked.Increment(ref _exhausted);
                return false;
            }

            beforeSwap?.Invoke();
            if (Interlocked.CompareExchange(ref _withdrawn, total + 1, total) == total)
            {
                return true;
            }
        }
    }

    private long CurrentEpoch() => Math.Max(0, _timeProvider.GetTimestamp() - _origin) / _bucketTimestampTicks;

    /// <summary>The floor plus the ratio of the live deposits, minus the live withdrawals; may be negative once deposits expired.</summary>
    private long Balance(long epoch, long total, ref long newest)
    {
        long deposits = BudgetBuckets.SumLive(_deposits, epoch, ref newest);
        long withdrawn = 0;
        int oldestAge = -1;
        for (int i = 0; i < _withdrawalMarks.Length; i++)
        {
            long slot = Volatile.Read(ref _withdrawalMarks[i]);
            int age = BudgetBuckets.Age(slot, epoch);
            if (age < 0)
            {
                newest = Math.Max(newest, epoch - age);
            }
            else if (BudgetBuckets.IsLive(age) && age > oldestAge)
            {
                oldestAge = age;
                withdrawn = (uint)((uint)total - BudgetBuckets.ValueOf(slot)); // 32-bit difference: exact below 2^32 retries per window
            }
        }

        long earned = deposits == 0 || _ratio == 0 ? 0 : (long)decimal.Floor(_ratio * deposits);
        return _reserve + earned - withdrawn;
    }
}
