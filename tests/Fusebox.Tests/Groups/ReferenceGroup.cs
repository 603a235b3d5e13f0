namespace Fusebox.Tests.Groups;

/// <summary>
/// A plain, single-threaded model of a breaker group whose members trip after <c>k</c> consecutive failures, break for
/// a fixed time and close after one successful probe: the rules of docs/groups.md written as directly as possible,
/// with none of the real group's machinery (no compare-and-swap, no events, no generations). Time is an explicit tick
/// count; the group evaluates when the test says an interval has passed.
/// </summary>
internal sealed class ReferenceGroup
{
    private readonly List<Member> _members = [];
    private readonly Settings _settings;

    public ReferenceGroup(Settings settings) => _settings = settings;

    public enum State
    {
        Closed,
        Open,
        HalfOpen,
    }

    public int OpenSlots { get; private set; }

    public bool Panicking { get; private set; }

    public int Healthy { get; private set; }

    public IReadOnlyList<Member> Members => _members;

    public int Cap => Math.Max(1, (int)(_members.Count * _settings.MaxOpenPercent / 100));

    public Member Add()
    {
        var member = new Member();
        _members.Add(member);
        return member;
    }

    /// <summary>One call on <paramref name="m"/> at <paramref name="now"/>: false when rejected; otherwise its outcome is applied.</summary>
    public bool Call(Member m, bool fails, long now)
    {
        if (m.State != State.Closed && Panicking)
        {
            Count(m, fails); // admitted, counted, no effect on the state
            return true;
        }

        if (m.State == State.Open)
        {
            if (now < m.OpenUntil)
            {
                return false;
            }

            m.State = State.HalfOpen; // the first call after the break is the probe
        }

        Count(m, fails);
        if (m.State == State.HalfOpen)
        {
            if (fails)
            {
                (m.State, m.OpenUntil) = (State.Open, now + _settings.BreakTicks);
            }
            else
            {
                (m.State, m.Consecutive) = (State.Closed, 0);
                if (m.HoldsSlot)
                {
                    (m.HoldsSlot, OpenSlots) = (false, OpenSlots - 1);
                }
            }

            return true;
        }

        m.Consecutive = fails ? m.Consecutive + 1 : 0;
        if (m.Consecutive >= _settings.ConsecutiveFailures)
        {
            m.Consecutive = 0; // opened, or refused: either way the window starts again
            TryOpen(m, now);
            CountHealthy(now);
        }

        return true;
    }

    /// <summary>An interval's evaluation at <paramref name="now"/>: the outlier test, then the health count.</summary>
    public void Evaluate(long now)
    {
        var qualifying = new List<(Member Member, double Rate)>();
        foreach (var m in _members)
        {
            long calls = m.IntervalSuccesses + m.IntervalFailures;
            if (calls >= _settings.MinimumCalls)
            {
                qualifying.Add((m, (double)m.IntervalSuccesses / calls));
            }

            (m.IntervalSuccesses, m.IntervalFailures) = (0, 0);
        }

        if (qualifying.Count >= _settings.MinimumMembers && !Panicking)
        {
            double mean = qualifying.Sum(q => q.Rate) / qualifying.Count;
            double variance = qualifying.Sum(q => (q.Rate - mean) * (q.Rate - mean)) / qualifying.Count;
            double threshold = mean - (_settings.StdevFactor * Math.Sqrt(variance));
            foreach (var (m, rate) in qualifying)
            {
                if (rate < threshold && m.State == State.Closed)
                {
                    if (TryOpen(m, now))
                    {
                        m.Ejections++;
                    }
                }
            }
        }

        CountHealthy(now);
    }

    private bool TryOpen(Member m, long now)
    {
        if (OpenSlots >= Cap)
        {
            m.WouldHaveOpened++;
            m.HeldUntil = now + _settings.BreakTicks;
            return false;
        }

        (OpenSlots, m.HoldsSlot) = (OpenSlots + 1, true);
        (m.State, m.OpenUntil) = (State.Open, now + _settings.BreakTicks);
        return true;
    }

    private void CountHealthy(long now)
    {
        Healthy = _members.Count(m => m.State == State.Closed && now >= m.HeldUntil);
        Panicking = Healthy * 100.0 < _settings.PanicThresholdPercent * _members.Count;
    }

    private static void Count(Member m, bool fails)
    {
        if (fails)
        {
            m.IntervalFailures++;
        }
        else
        {
            m.IntervalSuccesses++;
        }
    }

    public sealed record Settings(double MaxOpenPercent, double PanicThresholdPercent, int ConsecutiveFailures, long BreakTicks,
        int MinimumCalls, int MinimumMembers, double StdevFactor);

    public sealed class Member
    {
        public State State { get; set; }

        public long OpenUntil { get; set; }

        public int Consecutive { get; set; }

        public bool HoldsSlot { get; set; }

        public long HeldUntil { get; set; } = long.MinValue;

        public long WouldHaveOpened { get; set; }

        public long Ejections { get; set; }

        public long IntervalSuccesses { get; set; }

        public long IntervalFailures { get; set; }

        /// <summary>The state as the next call would find it: open with its break over reads half-open.</summary>
        public State Effective(long now) => State == State.Open && now >= OpenUntil ? State.HalfOpen : State;
    }
}
