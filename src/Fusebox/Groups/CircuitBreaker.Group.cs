using System.Runtime.CompilerServices;
using Fusebox.Internal;

namespace Fusebox;

// The hooks a BreakerGroup needs in its members. Kept here, next to the group, so that the breaker's own files carry
// only the three calls into them (Trip, TryAcquireSlow, RejectsWithinBreak). A breaker outside any group pays one null
// field read on its trip and open paths, and nothing on the closed path.
public sealed partial class CircuitBreaker
{
    private GroupSeat? _groupSeat; // written once, before the member is handed out

    /// <summary>The member's seat in its group; null for a breaker outside any group.</summary>
    internal GroupSeat? GroupSeat => _groupSeat;

    internal void JoinGroup(GroupSeat seat)
    {
        if (Interlocked.CompareExchange(ref _groupSeat, seat, null) is not null)
        {
            throw new InvalidOperationException($"The breaker '{Name}' is already a member of a group.");
        }
    }

    /// <summary>True while this member's group panics: an open or half-open member then admits every call.</summary>
    private bool GroupPanicking
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _groupSeat is { } seat && seat.Group.IsPanicking;
    }

    /// <summary>
    /// Asks the group for an open slot before a trip from <paramref name="closed"/>. Refused (the group is at its cap),
    /// the member stays closed and its window starts again, so the evidence that was refused is reported once, and
    /// the member trips again only on a window's worth of new failures.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool GroupRefusesTrip(StateRecord closed, string description)
    {
        var seat = _groupSeat!;
        if (seat.Group.TryReserveOpenSlot(seat, closed.Generation))
        {
            return false;
        }

        SwapIn(closed, closed.WithSettings(closed.Settings, closed.Settings.NewMeter())); // lost: the state moved on anyway
        seat.Group.RefusedOpen(seat, description, outlier: false);
        return true;
    }

    /// <summary>The generation of the current state when it is closed (the only state an outlier is ejected from).</summary>
    internal bool TryReadClosedGeneration(out long generation)
    {
        var s = Volatile.Read(ref _state);
        generation = s.Generation;
        return s.State == BreakerState.Closed;
    }

    /// <summary>Opens the member as an outlier if it is still in closed generation <paramref name="closedGeneration"/>.
    /// The break and the recovery are the member's own, exactly as after a trip.</summary>
    internal bool TryEjectOutlier(long closedGeneration, string description)
    {
        var s = Volatile.Read(ref _state);
        return s.State == BreakerState.Closed && s.Generation == closedGeneration
            && TryTransition(s, OpenRecord(s, TransitionReason.Outlier, description, 0));
    }

    /// <summary>The recorded state (open stays open after its break, until a call half-opens it) and its generation, read together.</summary>
    internal (BreakerState State, long Generation) ReadRecordedState()
    {
        var s = Volatile.Read(ref _state);
        return (s.State, s.Generation);
    }

    /// <summary>True while the member is open because its group ejected it as an outlier (its last transition was the
    /// ejection: the half-open probes that follow are the member's own recovery).</summary>
    internal bool IsEjectedOutlier
    {
        get
        {
            var s = Volatile.Read(ref _state);
            return s.State == BreakerState.Open && s.Reason == TransitionReason.Outlier;
        }
    }
}
