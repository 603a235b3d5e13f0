using System.Runtime.CompilerServices;

namespace Fusebox.Internal;

/// <summary>
/// The rolling window of adaptive throttling: requests and accepts in a fixed ring of time buckets with running
/// totals, lock-free. Every operation is O(1) but for moving the window, which clears at most one ring's worth of
/// buckets (a constant) and is done by one thread per bucket step; nothing allocates.
/// </summary>
/// <remarks>
/// Each bucket slot is one <see cref="long"/>: the bucket's epoch (time / bucket length, low 32 bits) in the high half
/// and its count in the low half, so "this slot still holds an older bucket: start it afresh" and "add one" are a
/// single compare-and-swap, and exactly one thread replaces an old bucket. That thread also takes the old count off
/// the running total (<see cref="Touch"/>), so every count that ever entered the total leaves it exactly once.
/// Interleavings: (1) two threads entering a new bucket: both CAS against the old slot value, one wins and subtracts
/// the old count, the other re-reads, sees the new epoch and adds. (2) A thread adding while the window is moved: the
/// mover clears slots with the same CAS (count 0), so it either cleared before the add (the add then starts or joins
/// the new bucket) or after (a stale thread whose time is older than the slot's bucket adds into the newer bucket:
/// counted a little late, never lost). (3) A reader between a mover's head swap and its sweep sees totals that still
/// hold buckets about to expire: a probability a few calls stale, never a corrupt one. A single thread (the model
/// test) therefore sees exact counts.
/// The epoch tag wraps after 2^32 buckets (50 days with 1 ms buckets): a slot untouched for exactly that long would
/// be mistaken for the current bucket, which the sweep on every window move rules out for any breaker that is called.
/// </remarks>
internal sealed class ThrottleWindow
{
    private readonly long _bucketTicks;
    private readonly int _bucketCount;
    private readonly long[] _requests;
    private readonly long[] _accepts;
    private long _requestTotal;
    private long _acceptTotal;
    private long _head; // the newest epoch the window has moved to

    /// <summary>An empty window whose newest bucket is the one of <paramref name="now"/>.</summary>
    public ThrottleWindow(TimeSpan window, int buckets, long now)
    {
        _bucketCount = buckets;
        _bucketTicks = window.Ticks / buckets;
        _requests = new long[buckets];
        _accepts = new long[buckets];

        // Every slot starts tagged with the epoch of the last ring that maps to it, so the tag comparison in Touch is
        // meaningful from the first call (an untagged 0 could read as a newer bucket once epochs pass 2^31).
        _head = Epoch(now);
        for (long e = _head - buckets + 1; e <= _head; e++)
        {
            _requests[(int)(Math.Max(e, 0) % buckets)] = _accepts[(int)(Math.Max(e, 0) % buckets)] = (long)(uint)Math.Max(e, 0) << 32;
        }
    }

    /// <summary>Requests in the window, as of the last move.</summary>
    public long Requests => Volatile.Read(ref _requestTotal);

    /// <summary>Accepts in the window, as of the last move.</summary>
    public long Accepts => Volatile.Read(ref _acceptTotal);

    /// <summary>The rejection probability now: the SRE formula, capped.</summary>
    public double Probability(long now, double k, double cap)
    {
        MoveTo(Epoch(now));
        return Formula(Volatile.Read(ref _requestTotal), Volatile.Read(ref _acceptTotal), k, cap);
    }

    /// <summary><c>min(cap, max(0, (requests − k·accepts) / (requests + 1)))</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Formula(long requests, long accepts, double k, double cap) =>
        Math.Min(cap, Math.Max(0, (requests - (k * accepts)) / (requests + 1)));

    /// <summary>Counts a request (admitted or rejected) at <paramref name="now"/>.</summary>
    public void AddRequest(long now)
    {
        long epoch = Epoch(now);
        MoveTo(epoch);
        Touch(_requests, epoch, 1, ref _requestTotal);
    }

    /// <summary>The probability at <paramref name="now"/>, read before a request then counted at the same time: one
    /// division and one window move for both (the admission's path).</summary>
    public double ProbabilityThenAddRequest(long now, double k, double cap)
    {
        long epoch = Epoch(now);
        MoveTo(epoch);
        double p = Formula(Volatile.Read(ref _requestTotal), Volatile.Read(ref _acceptTotal), k, cap);
        Touch(_requests, epoch, 1, ref _requestTotal);
        return p;
    }

    /// <summary>Counts an accepted call at <paramref name="now"/>.</summary>
    public void AddAccept(long now)
    {
        long epoch = Epoch(now);
        MoveTo(epoch);
        Touch(_accepts, epoch, 1, ref _acceptTotal);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long Epoch(long now) => Math.Max(now, 0) / _bucketTicks;

    /// <summary>Expires the buckets between the newest epoch and <paramref name="epoch"/>; one thread per step does it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void MoveTo(long epoch)
    {
        long head = Volatile.Read(ref _head);
        if (epoch > head)
        {
            MoveSlow(head, epoch);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void MoveSlow(long head, long epoch)
    {
        if (Interlocked.CompareExchange(ref _head, epoch, head) != head)
        {
            return; // another thread moved it (to this epoch or a later one) and sweeps
        }

        // The slots of the epochs after the old head, at most one ring of them: each is restarted empty for its new
        // epoch (a slot already restarted by an adding thread is left alone: its tag is current).
        long from = Math.Max(head + 1, epoch - _bucketCount + 1);
        for (long e = from; e <= epoch; e++)
        {
            Touch(_requests, e, 0, ref _requestTotal);
            Touch(_accepts, e, 0, ref _acceptTotal);
        }
    }

    /// <summary>Adds <paramref name="add"/> to the bucket of <paramref name="epoch"/>, restarting its slot when the slot
    /// holds an older bucket (and taking that bucket's count off the total). See the remarks for the interleavings.</summary>
    private void Touch(long[] slots, long epoch, long add, ref long total)
    {
        ref long slot = ref slots[(int)(epoch % _bucketCount)];
        uint tag = (uint)epoch;
        while (true)
        {
            long seen = Volatile.Read(ref slot);
            uint seenTag = (uint)((ulong)seen >> 32);
            long next;
            long delta;
            if (seenTag == tag || (int)(seenTag - tag) > 0)
            {
                // This bucket, or a newer one (this thread read the clock before another moved the window on).
                if (add == 0)
                {
                    return;
                }

                next = seen + add;
                delta = add;
            }
            else
            {
                next = ((long)tag << 32) | add;
                delta = add - (uint)seen;
            }

            if (Interlocked.CompareExchange(ref slot, next, seen) == seen)
            {
                if (delta != 0)
                {
                    Interlocked.Add(ref total, delta);
                }

                return;
            }
        }
    }
}
