namespace Fusebox.Tests.Throttling;

/// <summary>
/// The reference model of adaptive throttling: every request and accept as a (time, kind) event, counted from scratch
/// over the buckets of the window for every decision, with the SRE formula written out. No ring, no running totals, no
/// concurrency: a definition to compare the breaker's lock-free window with.
/// </summary>
internal sealed class ReferenceThrottle(AdaptiveThrottlingOptions options)
{
    private readonly long _bucketTicks = options.Window.Ticks / options.Buckets;
    private readonly List<(long Epoch, bool Accept)> _events = [];

    public (long Requests, long Accepts) Counts(long nowTicks)
    {
        long epoch = nowTicks / _bucketTicks;
        long requests = 0;
        long accepts = 0;
        foreach (var (e, accept) in _events)
        {
            if (e > epoch - options.Buckets && e <= epoch)
            {
                if (accept)
                {
                    accepts++;
                }
                else
                {
                    requests++;
                }
            }
        }

        return (requests, accepts);
    }

    public double Probability(long nowTicks)
    {
        var (requests, accepts) = Counts(nowTicks);
        double p = (requests - (options.AcceptsMultiplier * accepts)) / (requests + 1);
        return Math.Min(options.MaxRejectionProbability, Math.Max(0, p));
    }

    public void Request(long nowTicks) => _events.Add((nowTicks / _bucketTicks, false));

    /// <summary>An outcome: an accept unless the signal counts it as not accepted, in the bucket of the time its
    /// request was made (<paramref name="admittedAtTicks"/>): a request and its accept leave the window together, and
    /// the accept of a call that outlived the window is not counted at all.</summary>
    public void Completed(long admittedAtTicks, bool failure, bool overload)
    {
        bool notAccepted = options.NotAccepted == ThrottlingSignal.Overload ? overload : failure || overload;
        if (!notAccepted)
        {
            _events.Add((admittedAtTicks / _bucketTicks, true));
        }
    }
}
