using System.Runtime.CompilerServices;

namespace Fusebox.Internal;

/// <summary>
/// A breaker's rolling statistics (<see cref="CircuitBreakerOptions.CollectStatistics"/>): outcome counts and latency
/// over the last ten seconds (<see cref="RollingSlices"/>) and the last failure (<see cref="Internal.LastFailure"/>).
/// Allocated only while statistics are on, and dropped when a Reconfigure turns them off.
/// </summary>
/// <remarks>
/// Latency needs a clock read when a call starts and when it ends. With <see cref="TimeProvider.System"/> that is
/// <see cref="System.Diagnostics.Stopwatch"/>, 16–41 ns a read on the machine the benchmarks run on, several times
/// the budget, so the latency summary times a sample: one call in <see cref="SampleEvery"/> (a per-breaker call count,
/// no random number: exact on one thread, about one in 64 under concurrency, where increments of the count may race),
/// plus the first call after each tick of the <see cref="CoarseClock"/>, so a breaker with little traffic (a call
/// every 100 ms or less often) has every call timed. The counts stay exact. A call that is timed anyway (a slow-call
/// threshold, or a listener on <c>fusebox.call.duration</c>) always enters the histogram. With any other clock (a
/// fake one in tests) every call is timed and counted on that clock's own second: there the cost is the provider's.
/// </remarks>
internal sealed class BreakerStatistics
{
    /// <summary>One call in this many is timed for the latency summary (besides one per coarse tick); a power of two.</summary>
    public const int SampleEvery = 64;

    private readonly BreakerClock _clock;
    private readonly RollingSlices _slices = new();
    private readonly bool _timesEveryCall;
    private uint _admissions; // plain increments: a lost one only shifts the sample
    private long _timedInTick = -1; // the coarse tick in which a call was last timed

    public BreakerStatistics(BreakerClock clock)
    {
        _clock = clock;
        _timesEveryCall = !clock.IsSystem;
        if (!_timesEveryCall)
        {
            CoarseClock.EnsureStarted();
        }
    }

    public LastFailure LastFailure { get; } = new();

    /// <summary>True when the call being admitted is to be timed for the latency summary.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TimesNextCall()
    {
        if (_timesEveryCall || (++_admissions & (SampleEvery - 1)) == 0)
        {
            return true;
        }

        long tick = CoarseClock.Tick;
        if (_timedInTick == tick)
        {
            return false;
        }

        _timedInTick = tick; // a plain write: two calls racing here may both be timed, which is harmless
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Completed(SliceCounter outcome, bool slow, long elapsed) => _slices.Completed(outcome, slow, elapsed, Second());

    public void Rejected() => _slices.Increment(SliceCounter.Rejected, Second());

    public void Ignored() => _slices.Increment(SliceCounter.Ignored, Second());

    /// <summary>The second calls are counted in: the coarse clock's on the system clock, the breaker clock's otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long Second() => _timesEveryCall ? _clock.Now() / TimeSpan.TicksPerSecond : CoarseClock.Second;

    /// <summary>The statistics now: sums of the window's slices, percentiles from its buckets.</summary>
    public RollingStatistics Read()
    {
        long now = _clock.Now();
        Span<long> totals = stackalloc long[RollingSlices.Stride];
        totals.Clear();
        _slices.Sum(Second(), totals);
        return new RollingStatistics
        {
            Window = RollingSlices.Window,
            Successes = totals[(int)SliceCounter.Success],
            Failures = totals[(int)SliceCounter.Failure],
            Timeouts = totals[(int)SliceCounter.Timeout],
            SlowCalls = totals[(int)SliceCounter.Slow],
            Rejections = totals[(int)SliceCounter.Rejected],
            Ignored = totals[(int)SliceCounter.Ignored],
            Latency = Summarise(totals.Slice(RollingSlices.BucketOffset, LatencyBuckets.Count)),
            LastFailure = LastFailure.Read(now, _clock.UtcNow()),
        };
    }

    /// <summary>Percentiles as the upper bound of the bucket holding the nearest-rank value (rank ⌈p·n⌉).</summary>
    internal static LatencySummary Summarise(ReadOnlySpan<long> buckets)
    {
        long count = 0;
        int highest = -1;
        for (int i = 0; i < buckets.Length; i++)
        {
            if (buckets[i] != 0)
            {
                count += buckets[i];
                highest = i;
            }
        }

        if (count == 0)
        {
            return LatencySummary.Empty;
        }

        return new LatencySummary(count, Percentile(buckets, count, 0.50), Percentile(buckets, count, 0.90),
            Percentile(buckets, count, 0.99), UpperBound(highest));
    }

    private static TimeSpan Percentile(ReadOnlySpan<long> buckets, long count, double p)
    {
        long rank = Math.Max(1, (long)Math.Ceiling(p * count));
        long seen = 0;
        for (int i = 0; i < buckets.Length; i++)
        {
            seen += buckets[i];
            if (seen >= rank)
            {
                return UpperBound(i);
            }
        }

        return UpperBound(buckets.Length - 1); // unreachable: the ranks are at most the count
    }

    private static TimeSpan UpperBound(int bucket) => TimeSpan.FromTicks(LatencyBuckets.UpperBoundMicroseconds(bucket) * TimeSpan.TicksPerMicrosecond);
}
