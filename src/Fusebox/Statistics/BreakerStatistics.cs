using System.Runtime.CompilerServices;

namespace Fusebox.Internal;

/// <summary>
/// A breaker's rolling statistics (<see cref="CircuitBreakerOptions.CollectStatistics"/>): outcome counts and latency
/// over the last ten seconds (<see cref="RollingSlices"/>) and the last failure (<see cref="Internal.LastFailure"/>).
/// Allocated only while statistics are on, and dropped when a Reconfigure turns them off.
/// </summary>
/// <remarks>
/// Latency needs a clock read when a call starts and when it ends. With <see cref="TimeProvider.System"/> that is
/// <see cref="System.Diagnostics.Stopwatch"/>, 16–30 ns a read on the machine the benchmarks run on, several times
/// the cost of the rest of the statistics, so only one call in <see cref="SampleEvery"/> per thread is timed for
/// them (a deterministic sample: a per-thread call count, no random number). The counts stay exact. A call that is
/// timed anyway (a slow-call threshold, or a listener on <c>fusebox.call.duration</c>) always enters the histogram.
/// With any other clock (a fake one in tests) every call is timed: there the cost is the provider's.
/// </remarks>
internal sealed class BreakerStatistics(BreakerClock clock)
{
    /// <summary>One call in this many (per thread) is timed for the latency summary; a power of two.</summary>
    public const int SampleEvery = 16;

    [ThreadStatic]
    private static uint t_admissions;

    private readonly RollingSlices _slices = new();
    private readonly bool _timesEveryCall = !clock.IsSystem;

    public LastFailure LastFailure { get; } = new();

    /// <summary>True when the call being admitted is to be timed for the latency summary.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TimesNextCall() => _timesEveryCall || (++t_admissions & (SampleEvery - 1)) == 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Completed(SliceCounter outcome, bool slow, long elapsed) => _slices.Completed(outcome, slow, elapsed, clock.Now());

    public void Rejected() => _slices.Increment(SliceCounter.Rejected, clock.Now());

    public void Ignored() => _slices.Increment(SliceCounter.Ignored, clock.Now());

    /// <summary>The statistics now: sums of the window's slices, percentiles from its buckets.</summary>
    public RollingStatistics Read()
    {
        long now = clock.Now();
        Span<long> totals = stackalloc long[RollingSlices.Stride];
        totals.Clear();
        _slices.Sum(now, totals);
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
            LastFailure = LastFailure.Read(now, clock.UtcNow()),
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
