using System.Threading.RateLimiting;


namespace Fusebox.RateLimiting;

/// <summary>
/// A bulkhead that tunes itself: at most <see cref="CurrentLimit"/> calls run at once, and each finished call's latency
/// moves the limit (<see cref="ConcurrencyAlgorithm.Gradient2"/> or <see cref="ConcurrencyAlgorithm.Aimd"/>, Netflix
/// concurrency-limits' algorithms and defaults). A <see cref="RateLimiter"/>, so it fits anything that takes one
/// (ASP.NET Core's rate limiting, any pipeline that admits calls through a rate limiter); its rejections are load shedding, never breaker
/// failures. It does not queue: a call over the limit is rejected at once, as concurrency-limits' limiters do, because
/// a queue in front of an overloaded dependency only adds the wait to every call.
/// </summary>
/// <remarks>
/// Lock-free. Admission is one compare-and-swap on the in-flight count against the limit read once; each completion
/// decrements the count and folds its sample into the limit with compare-and-swap loops (see <see cref="Release"/>).
/// An admitted call allocates its lease (40 B), as <see cref="ConcurrencyLimiter"/> does; a rejection allocates nothing.
/// </remarks>
public sealed class AdaptiveConcurrencyLimiter : RateLimiter
{
    private readonly AdaptiveConcurrencyOptions _options;
    private readonly TimeProvider _time;
    private double _limit;
    private double _longRtt;
    private long _samples;
    private int _inflight;
    private long _idleSince;
    private long _successful;
    private long _failed;
    private int _disposed;

    /// <summary>Creates a limiter; the options are validated and copied.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public AdaptiveConcurrencyLimiter(AdaptiveConcurrencyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
        _time = _options.TimeProvider ?? TimeProvider.System;
        _limit = _options.InitialLimit;
        _idleSince = _time.GetTimestamp();
    }

    /// <summary>Calls allowed to run at once now.</summary>
    public int CurrentLimit => (int)Volatile.Read(ref _limit);

    /// <summary>Calls running now.</summary>
    public int InFlight => Volatile.Read(ref _inflight);

    /// <inheritdoc/>
    public override TimeSpan? IdleDuration =>
        Volatile.Read(ref _inflight) == 0 ? _time.GetElapsedTime(Volatile.Read(ref _idleSince)) : null;

    /// <inheritdoc/>
    public override RateLimiterStatistics? GetStatistics() => new()
    {
        CurrentAvailablePermits = Math.Max(0, CurrentLimit - InFlight),
        CurrentQueuedCount = 0,
        TotalSuccessfulLeases = Interlocked.Read(ref _successful),
        TotalFailedLeases = Interlocked.Read(ref _failed),
    };

    /// <inheritdoc/>
    protected override RateLimitLease AttemptAcquireCore(int permitCount) => TryAcquire(permitCount);

    /// <inheritdoc/>
    /// <remarks>Never waits: the result is the same as <see cref="RateLimiter.AttemptAcquire(int)"/>'s.</remarks>
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<RateLimitLease>(TryAcquire(permitCount));
    }

    /// <summary>Takes a slot when the in-flight count is under the limit.</summary>
    /// <param name="permitCount">1 for a call; 0 asks whether a call would be admitted now without taking a slot.</param>
    /// <returns>An acquired lease to dispose when the call ends, or a rejected one (<see cref="RateLimitLease.IsAcquired"/> false).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="permitCount"/> is not 0 or 1.</exception>
    /// <exception cref="ObjectDisposedException">The limiter is disposed.</exception>
    public AdaptiveConcurrencyLease TryAcquire(int permitCount = 1)
    {
        if (permitCount is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(permitCount), permitCount, "An adaptive concurrency limiter counts calls: permitCount must be 0 or 1.");
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        int limit = CurrentLimit;
        int inflight = Volatile.Read(ref _inflight);
        if (permitCount == 0)
        {
            return inflight < limit ? AdaptiveConcurrencyLease.Available : AdaptiveConcurrencyLease.Rejected;
        }

        // Between the read and the swap other calls may take or free slots; the swap then fails and the loop re-reads,
        // so the count never passes the limit read at the start (a limit lowered meanwhile applies from the next call).
        while (inflight < limit)
        {
            int seen = Interlocked.CompareExchange(ref _inflight, inflight + 1, inflight);
            if (seen == inflight)
            {
                Interlocked.Increment(ref _successful);
                return new AdaptiveConcurrencyLease(this, _time.GetTimestamp(), inflight + 1);
            }

            inflight = seen;
        }

        Interlocked.Increment(ref _failed);
        return AdaptiveConcurrencyLease.Rejected;
    }

    /// <summary>
    /// A lease's end: frees its slot and, unless it was ignored, folds its latency into the limit. Several calls can
    /// finish at once. Each of the shared values (the sample count, the long-term average, the limit) is updated by
    /// its own compare-and-swap loop, so every sample is applied exactly once to each; what two racing samples can see
    /// is the other's long-term average or not yet, a one-sample lag in a 600-sample average, which moves the limit by
    /// at most one sample's worth: never out of [MinLimit, MaxLimit], since every value written is clamped.
    /// </summary>
    internal void Release(AdaptiveConcurrencyLease lease)
    {
        long now = _time.GetTimestamp();
        if (Interlocked.Decrement(ref _inflight) == 0)
        {
            Volatile.Write(ref _idleSince, now);
        }

        if (lease.Ignored || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        double rtt = _time.GetElapsedTime(lease.StartedAt, now).Ticks;
        bool aimd = _options.Algorithm == ConcurrencyAlgorithm.Aimd;
        bool dropped = aimd && (lease.Dropped || rtt > _options.AimdTimeout.Ticks);
        double longRtt = aimd ? 0 : UpdateLongRtt(rtt, Interlocked.Increment(ref _samples));
        double current = Volatile.Read(ref _limit);
        while (true)
        {
            double next = aimd
                ? AimdEstimate.NextLimit(current, dropped, lease.InFlightAtStart, _options)
                : Gradient2Estimate.NextLimit(current, longRtt, rtt, lease.InFlightAtStart, _options);
            double seen = Interlocked.CompareExchange(ref _limit, next, current);
            if (seen.Equals(current))
            {
                return;
            }

            current = seen;
        }
    }

    private double UpdateLongRtt(double rtt, long n)
    {
        double current = Volatile.Read(ref _longRtt);
        while (true)
        {
            double next = Gradient2Estimate.NextLongRtt(current, rtt, n, _options.LongWindow);
            if (Gradient2Estimate.ShouldDecay(next, rtt))
            {
                next *= 0.95;
            }

            double seen = Interlocked.CompareExchange(ref _longRtt, next, current);
            if (seen.Equals(current))
            {
                return next;
            }

            current = seen;
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing) => Volatile.Write(ref _disposed, 1);
}
