using System.Runtime.CompilerServices;
using static Fusebox.Internal.ThrottleSlot;

namespace Fusebox.Internal;

/// <summary>
/// The rolling window of adaptive throttling: requests and accepts in a fixed ring of time buckets, lock-free. Every
/// operation is O(1) but for moving the window, which settles at most one ring's worth of buckets (a constant) and is
/// done by one thread per bucket step; nothing allocates. A call inside the newest bucket (nearly every call) does one
/// compare-and-swap per count and no division.
/// </summary>
/// <remarks>
/// <para>Each bucket is one slot word (<see cref="ThrottleSlot"/>: epoch tag, sealed bit, count). The window's totals
/// are the <em>sealed totals</em> (the counts of every sealed bucket) plus the count of the head bucket, which stays
/// unsealed while it is the newest. Invariant: a sealed total always equals the sum of the counts of the sealed slots.
/// Every change to a slot is one compare-and-swap (<see cref="Settle"/>), and the thread whose swap succeeded adds
/// exactly the change it made to the sealed slots' sum to the sealed total; so the invariant holds after every
/// completed step, whatever the interleaving: a count that enters a sealed slot enters the total once, and leaves it
/// once when its bucket is restarted for a later epoch. A single thread (the model test) sees exact counts.</para>
/// <para>Interleavings. (1) Two threads entering a new bucket: both swap against the old slot value, one wins (and takes
/// the old bucket's sealed count off the total), the other re-reads, sees the new epoch and adds. (2) An add to the
/// head bucket racing the move that seals it: the seal and the add swap the same word, so either the add came first
/// (its count is in what the seal transfers to the total) or the seal did (the add then sees the sealed bit and adds to
/// the total itself). (3) An add whose time is older than its slot's bucket (a thread that read the clock a whole
/// ring ago, or a call that outlived the window): its bucket has left the window and the add is dropped, as the
/// reference model would. (4) A thread that read the head just before a move and restarts the slot of that head
/// unsealed: the mover's seal of that epoch is a swap on the same word, so it either sees the restarted slot and
/// seals it, or came first (restarting it sealed) and the thread's swap fails and retries on the sealed slot. Movers
/// only ever seal or restart a slot, never unseal one, so overlapping moves leave every bucket behind the head
/// sealed. (5) A reader between a move's head swap and its sweep, or between a swap and its total update, sees totals
/// a few calls stale, never a corrupt count once the threads are done (the totals are recomputed from nothing).</para>
/// <para>The epoch tag wraps after 2^32 buckets (50 days with 1 ms buckets): a slot untouched for exactly that long
/// would be mistaken for the current bucket, which the sweep on every window move rules out for any breaker that is
/// called.</para>
/// </remarks>
internal sealed class ThrottleWindow
{
    private readonly long _bucketTicks;
    private readonly int _bucketCount;
    private readonly long[] _requests;
    private readonly long[] _accepts;
    private long _sealedRequests;
    private long _sealedAccepts;
    private long _head; // the newest epoch the window has moved to
    private int _headIndex; // its slot: a hint, checked against the slot's tag before use (see HeadSlot)

    /// <summary>An empty window whose newest bucket is the one of <paramref name="now"/>.</summary>
    public ThrottleWindow(TimeSpan window, int buckets, long now)
    {
        _bucketCount = buckets;
        _bucketTicks = window.Ticks / buckets;
        _requests = new long[buckets];
        _accepts = new long[buckets];

        // Every slot starts tagged with the epoch of the last ring that maps to it (sealed behind the head, empty), so
        // the tag comparison is meaningful from the first call and the totals are the head's count from the start.
        _head = Epoch(now);
        _headIndex = Index(_head);
        for (long e = _head - buckets + 1; e <= _head; e++)
        {
            _requests[Index(e)] = _accepts[Index(e)] = Empty(e, sealedBucket: e < _head);
        }
    }

    /// <summary>Requests in the window, as of the last move.</summary>
    public long Requests => Total(_requests, ref _sealedRequests);

    /// <summary>Accepts in the window, as of the last move.</summary>
    public long Accepts => Total(_accepts, ref _sealedAccepts);

    /// <summary>The rejection probability now: the SRE formula, capped.</summary>
    public double Probability(long now, double k, double cap)
    {
        Advance(now);
        return Formula(Requests, Accepts, k, cap);
    }

    /// <summary>Moves the window to <paramref name="now"/>, expiring the buckets it left, so <see cref="Requests"/> and
    /// <see cref="Accepts"/> read the window as of then (an idle window drains).</summary>
    public void Advance(long now) => MoveTo(Epoch(now));

    /// <summary><c>min(cap, max(0, (requests − k·accepts) / (requests + 1)))</c>; no division when it is 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Formula(long requests, long accepts, double k, double cap)
    {
        double excess = requests - (k * accepts);
        return excess <= 0 ? 0 : Math.Min(cap, Math.Max(0, excess / (requests + 1)));
    }

    /// <summary>Counts a request (admitted or rejected) at <paramref name="now"/>.</summary>
    public void AddRequest(long now) => Add(_requests, ref _sealedRequests, now);

    /// <summary>Counts an accepted call in the bucket of <paramref name="now"/>; the breaker passes the time the call
    /// was admitted at, so that an accept lands in its request's bucket and leaves the window with it.</summary>
    public void AddAccept(long now) => Add(_accepts, ref _sealedAccepts, now);

    /// <summary>The probability at <paramref name="now"/>, read before a request then counted at the same time (the
    /// admission's path). Inside the head bucket: a handful of reads and one compare-and-swap.</summary>
    public double ProbabilityThenAddRequest(long now, double k, double cap)
    {
        long head = Volatile.Read(ref _head);
        if (InBucket(now, head))
        {
            int index = Volatile.Read(ref _headIndex);
            ref long slot = ref _requests[index];
            long seen = Volatile.Read(ref slot);
            if (Tag(seen) == (uint)head && !IsSealed(seen))
            {
                // The totals before this request: sealed total plus the head's count as swapped against.
                long requests = Volatile.Read(ref _sealedRequests) + Count(seen);
                long accepts = Volatile.Read(ref _sealedAccepts) + HeadCount(_accepts[index], head);
                if (Interlocked.CompareExchange(ref slot, seen + 1, seen) == seen)
                {
                    return Formula(requests, accepts, k, cap);
                }
            }
        }

        return ProbabilityThenAddRequestSlow(now, k, cap);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private double ProbabilityThenAddRequestSlow(long now, double k, double cap)
    {
        double p = Probability(now, k, cap);
        AddSlow(_requests, ref _sealedRequests, now);
        return p;
    }

    /// <summary>One count at <paramref name="now"/>: a single compare-and-swap when it falls in the unsealed head bucket.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Add(long[] slots, ref long sealedTotal, long now)
    {
        long head = Volatile.Read(ref _head);
        if (InBucket(now, head))
        {
            ref long slot = ref slots[Volatile.Read(ref _headIndex)];
            long seen = Volatile.Read(ref slot);
            if (Tag(seen) == (uint)head && !IsSealed(seen) && Interlocked.CompareExchange(ref slot, seen + 1, seen) == seen)
            {
                return;
            }
        }

        AddSlow(slots, ref sealedTotal, now);
    }

    /// <summary>Any other count: moves the window if the time is past its head, and settles the slot (restarting or
    /// sealing it as needed). A bucket behind the head is sealed by whoever touches it first.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddSlow(long[] slots, ref long sealedTotal, long now)
    {
        long epoch = Epoch(now);
        MoveTo(epoch);
        Settle(slots, ref sealedTotal, epoch, add: 1, seal: epoch < Volatile.Read(ref _head));
    }

    /// <summary>Whether <paramref name="now"/> falls in the bucket of <paramref name="epoch"/>: a multiplication, not a division.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool InBucket(long now, long epoch) => (ulong)(now - (epoch * _bucketTicks)) < (ulong)_bucketTicks;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long Epoch(long now) => Math.Max(now, 0) / _bucketTicks;

    private int Index(long epoch) => (int)(((epoch % _bucketCount) + _bucketCount) % _bucketCount);

    /// <summary>A slot's count when it is the unsealed bucket of <paramref name="head"/> (then not yet in the sealed total), else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long HeadCount(long slot, long head) => Tag(slot) == (uint)head && !IsSealed(slot) ? Count(slot) : 0;

    /// <summary>The sealed total plus the head bucket's unsealed count. A stale <see cref="_headIndex"/> (a move in
    /// progress) names a slot whose tag is not the head's: the head's count is then missed for that instant only.</summary>
    private long Total(long[] slots, ref long sealedTotal)
    {
        long head = Volatile.Read(ref _head);
        long slot = Volatile.Read(ref slots[Volatile.Read(ref _headIndex)]);
        return Volatile.Read(ref sealedTotal) + HeadCount(slot, head);
    }

    /// <summary>Moves the head to <paramref name="epoch"/> when it is later; one thread per step does the sweep.</summary>
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

        // The index hint follows the head. Overlapping movers may write theirs out of order, so each writes the index of
        // the head it reads and repeats until the head did not move meanwhile: the last write is the latest head's.
        long current;
        do
        {
            current = Volatile.Read(ref _head);
            Volatile.Write(ref _headIndex, Index(current));
        }
        while (Volatile.Read(ref _head) != current);

        // The old head, if still in the window, is sealed (its count moves to the sealed totals); the epochs after it,
        // at most one ring of them, are restarted empty, sealed but for the new head. A slot already restarted or
        // sealed for its epoch by an adding thread or another mover is left as it is.
        long first = head > epoch - _bucketCount ? head : epoch - _bucketCount + 1;
        for (long e = first; e <= epoch; e++)
        {
            Settle(_requests, ref _sealedRequests, e, add: 0, seal: e < epoch);
            Settle(_accepts, ref _sealedAccepts, e, add: 0, seal: e < epoch);
        }
    }

    /// <summary>The one way a slot changes: adds <paramref name="add"/> to the bucket of <paramref name="epoch"/>,
    /// restarting the slot when it holds an older bucket (taking that bucket's sealed count off the total) and sealing
    /// it when <paramref name="seal"/> (adding its count to the total); never unseals. A slot holding a later bucket
    /// means this epoch has left the window: nothing is done. The successful swap's change to the sealed slots' sum is
    /// added to the total by the same thread, which is the invariant of the remarks above.</summary>
    private void Settle(long[] slots, ref long sealedTotal, long epoch, long add, bool seal)
    {
        ref long slot = ref slots[Index(epoch)];
        uint tag = (uint)epoch;
        while (true)
        {
            long seen = Volatile.Read(ref slot);
            uint seenTag = Tag(seen);
            long next;
            long delta;
            if (seenTag == tag)
            {
                bool sealedBefore = IsSealed(seen);
                bool sealedAfter = sealedBefore || seal;
                if (add == 0 && sealedAfter == sealedBefore)
                {
                    return;
                }

                next = (seen + add) | (sealedAfter ? SealedBit : 0);
                delta = sealedBefore ? add : sealedAfter ? Count(seen) + add : 0;
            }
            else if (IsLater(seenTag, tag))
            {
                return; // the bucket left the window (interleaving 3)
            }
            else
            {
                next = Empty(epoch, seal) + add;
                delta = (seal ? add : 0) - (IsSealed(seen) ? Count(seen) : 0);
            }

            if (Interlocked.CompareExchange(ref slot, next, seen) == seen)
            {
                if (delta != 0)
                {
                    Interlocked.Add(ref sealedTotal, delta);
                }

                return;
            }
        }
    }
}
