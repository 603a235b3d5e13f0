using System.Globalization;

namespace Fusebox;

// The cap on open members. Each member that opens because of its own failures (a trip or an outlier ejection) first
// takes one of MaxOpen open slots; it gives it back when it is closed, disabled or isolated again. The slot count is
// the only shared resource, and it is taken with compare-and-swap on the very value that was checked against the cap,
// so no two members can both take the last slot (see TryTakeSlot). Nothing here runs on a member's closed-state call
// path: a member asks only when its trip policy has just said "open".
public sealed partial class BreakerGroup
{
    private int _openSlots;

    /// <summary>For tests: runs between reading the slot count and swapping it, to drive the race deterministically.</summary>
    internal Action? SlotRaceHook { get; set; }

    /// <summary>
    /// Reserves an open slot for a member about to open from closed generation <paramref name="closedGeneration"/>.
    /// True when the member may open: it already holds the slot for this generation (another thread of the same trip
    /// took it), it holds a slot left from an earlier episode whose close has not been processed yet (that slot is
    /// carried over: the earlier episode is over, since the member is closed again in a later generation), or a free
    /// slot was taken now.
    /// </summary>
    internal bool TryReserveOpenSlot(GroupSeat seat, long closedGeneration)
    {
        while (true)
        {
            long held = Volatile.Read(ref seat.SlotGeneration);
            if (held >= closedGeneration)
            {
                return true; // this trip's slot, or a later one's: this record is stale and its transition will fail
            }

            if (held != GroupSeat.NoSlot)
            {
                if (Interlocked.CompareExchange(ref seat.SlotGeneration, closedGeneration, held) == held)
                {
                    return true; // carried over from the finished episode; the count is unchanged
                }

                continue;
            }

            if (!TryTakeSlot())
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref seat.SlotGeneration, closedGeneration, GroupSeat.NoSlot) == GroupSeat.NoSlot)
            {
                return true;
            }

            // Another thread of this member set a slot meanwhile (it holds one of its own): give ours back, judge again.
            Interlocked.Decrement(ref _openSlots);
        }
    }

    /// <summary>
    /// Takes one slot if fewer than <see cref="MaxOpen"/> are taken. Interleaving: two members that both read count
    /// c &lt; cap race to swap c for c + 1; exactly one swap succeeds, and the loser re-reads c + 1 and is judged
    /// against the cap again, so the count can never pass the cap (a check followed by a separate increment could:
    /// both check c = cap − 1, both increment). The count only ever grows here and shrinks in
    /// <see cref="ReleaseSlot"/>, once per slot, because the seat's own swap to <see cref="GroupSeat.NoSlot"/> has one winner.
    /// </summary>
    private bool TryTakeSlot()
    {
        while (true)
        {
            int taken = Volatile.Read(ref _openSlots);
            if (taken >= MaxOpen)
            {
                return false;
            }

            SlotRaceHook?.Invoke();
            if (Interlocked.CompareExchange(ref _openSlots, taken + 1, taken) == taken)
            {
                return true;
            }
        }
    }

    /// <summary>Gives back the member's slot if it belongs to an episode that ended before generation <paramref name="now"/>
    /// (the member is closed, disabled or isolated there).</summary>
    private void ReleaseSlot(GroupSeat seat, long now)
    {
        long held = Volatile.Read(ref seat.SlotGeneration);
        if (held != GroupSeat.NoSlot && held < now
            && Interlocked.CompareExchange(ref seat.SlotGeneration, GroupSeat.NoSlot, held) == held)
        {
            Interlocked.Decrement(ref _openSlots);
        }
    }

    /// <summary>Releases the slot of a member whose episode ended, as reported by its transition (raised after the fact,
    /// possibly out of order: a late event of an earlier close finds a later slot and leaves it).</summary>
    private void OnMemberStateChanged(GroupSeat seat, BreakerStateChangedEventArgs e)
    {
        if (e.NewState is BreakerState.Closed or BreakerState.Disabled or BreakerState.Isolated)
        {
            ReleaseSlot(seat, e.Generation);
        }
        else if (e.NewState == BreakerState.Open && e.OldState == BreakerState.Closed)
        {
            RequestEvaluation(HealthWork); // fewer healthy members: panic may be due
        }
    }

    /// <summary>For the evaluation: frees a slot whose member is no longer open, when its release was missed — a trip
    /// or ejection that reserved a slot and then lost its transition to an operator's command whose event came first.</summary>
    private void SweepSlot(GroupSeat seat, BreakerState state, long generation)
    {
        if (state is BreakerState.Closed or BreakerState.Disabled or BreakerState.Isolated)
        {
            ReleaseSlot(seat, generation);
        }
    }

    /// <summary>The cap refused a member's opening: counted, reported, and the member is held unhealthy for the break
    /// it would have had.</summary>
    internal void RefusedOpen(GroupSeat seat, string description, bool outlier)
    {
        Interlocked.Increment(ref seat.WouldHaveOpened);
        Interlocked.Increment(ref _wouldHaveOpened);
        Volatile.Write(ref seat.HeldUntil, Now() + seat.Breaker.BreakTicks(0));
        Instruments.WouldHaveOpened(Name, seat.Breaker.Name, outlier);
        Raise(new BreakerGroupEventArgs(Name, BreakerGroupEventKind.WouldHaveOpened, seat.Key, seat.Breaker.Name,
            string.Create(CultureInfo.InvariantCulture, $"{description}; the group's cap of {MaxOpen} open member(s) is reached"),
            _timeProvider.GetUtcNow()));
        RequestEvaluation(HealthWork);
    }
}
