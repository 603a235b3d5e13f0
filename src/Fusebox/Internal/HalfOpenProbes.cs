namespace Fusebox.Internal;

/// <summary>
/// The probe slots of one half-open generation. Each slot holds <see cref="Free"/>, <see cref="Consumed"/>, or the
/// deadline of the probe that holds it. Slots are claimed and completed with compare-and-swap, so exactly
/// <c>HalfOpenPermits</c> probes are admitted however many callers race, and a probe that never reports is
/// reclaimed once its deadline passes (the next caller takes its slot), so hung probes cannot wedge half-open.
/// A round adopted from elsewhere (<c>CircuitBreaker.ApplyExternal</c>) may start with some slots <see cref="Ungranted"/>:
/// they are claimable only after <see cref="Grant"/>, so a coordinator can hand out probe permits as it wins them.
/// </summary>
internal sealed class HalfOpenProbes
{
    private const long Free = 0;
    private const long Consumed = -1;
    private const long Ungranted = -2; // negative: never claimable, never a token, never an expiry
    private readonly long[] _slots;
    private int _successes;

    public HalfOpenProbes(int permits, int successesToClose)
    {
        _slots = new long[permits];
        SuccessesToClose = successesToClose;
    }

    /// <summary>A round with <paramref name="slots"/> slots of which only the first <paramref name="granted"/> are claimable now.</summary>
    public HalfOpenProbes(int slots, int successesToClose, int granted)
        : this(slots, successesToClose)
    {
        for (int i = Math.Clamp(granted, 0, slots); i < slots; i++)
        {
            _slots[i] = Ungranted;
        }
    }

    /// <summary>Slots in this round, granted or not.</summary>
    public int Capacity => _slots.Length;

    /// <summary>Makes up to <paramref name="count"/> ungranted slots claimable; returns how many were.</summary>
    public int Grant(int count)
    {
        int granted = 0;
        for (int i = 0; i < _slots.Length && granted < count; i++)
        {
            if (Volatile.Read(ref _slots[i]) == Ungranted && Interlocked.CompareExchange(ref _slots[i], Free, Ungranted) == Ungranted)
            {
                granted++;
            }
        }

        return granted;
    }

    /// <summary>
    /// Takes back up to <paramref name="count"/> granted slots that no probe holds (free, or held past its deadline), so
    /// a coordinator can return permits its callers did not use; returns how many were taken back.
    /// </summary>
    /// <remarks>
    /// Each slot moves from its observed value to <see cref="Ungranted"/> by compare-and-swap. A caller that claims the
    /// same slot between the read and the swap wins it (the swap fails and the slot is skipped: the permit is in use,
    /// and is reported like any probe). A caller that comes after the swap finds the slot ungranted and is rejected,
    /// as if it had never been granted. A probe whose deadline had passed and that reports after the swap fails its
    /// own compare-and-swap on the token (late, like any reclaimed probe). So no slot is ever both used and revoked.
    /// </remarks>
    public int Revoke(int count, long now)
    {
        int revoked = 0;
        for (int i = 0; i < _slots.Length && revoked < count; i++)
        {
            long current = Volatile.Read(ref _slots[i]);
            bool unused = current == Free || (current > 0 && current <= now);
            if (unused && Interlocked.CompareExchange(ref _slots[i], Ungranted, current) == current)
            {
                revoked++;
            }
        }

        return revoked;
    }

    /// <summary>Slots not granted yet.</summary>
    public int UngrantedCount()
    {
        int count = 0;
        foreach (long s in _slots)
        {
            if (s == Ungranted)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Successful probes that close the breaker; fixed for the round even if the options are reconfigured.</summary>
    public int SuccessesToClose { get; }

    public int Successes => Volatile.Read(ref _successes);

    /// <summary>Claims a free or expired slot. The token identifies this claim and is needed to complete it.</summary>
    public bool TryClaim(long now, long probeTimeoutTicks, out int slot, out long token)
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            long current = Volatile.Read(ref _slots[i]);
            bool claimable = current == Free || (current > 0 && current <= now);
            if (!claimable)
            {
                continue;
            }

            // A deadline must stay positive to be told apart from Free and Consumed, even on a clock that starts at 0.
            long deadline = Math.Max(now + probeTimeoutTicks, 1);
            if (Interlocked.CompareExchange(ref _slots[i], deadline, current) == current)
            {
                slot = i;
                token = deadline;
                return true;
            }
        }

        slot = -1;
        token = 0;
        return false;
    }

    /// <summary>Marks the claim as reported. False when the slot was reclaimed after a timeout: the outcome is late.</summary>
    public bool TryComplete(int slot, long token) =>
        Interlocked.CompareExchange(ref _slots[slot], Consumed, token) == token;

    /// <summary>Gives the slot back without an outcome (the caller cancelled), so another probe may use it.</summary>
    public bool TryRelease(int slot, long token) =>
        Interlocked.CompareExchange(ref _slots[slot], Free, token) == token;

    public int AddSuccess() => Interlocked.Increment(ref _successes);

    /// <summary>Slots held by a probe whose deadline has not passed: probes out now.</summary>
    public int InFlight(long now)
    {
        int count = 0;
        foreach (long s in _slots)
        {
            if (s > now)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Slots a new probe could claim now.</summary>
    public int Available(long now)
    {
        int count = 0;
        foreach (long s in _slots)
        {
            if (s == Free || (s > 0 && s <= now))
            {
                count++;
            }
        }

        return count;
    }
}
