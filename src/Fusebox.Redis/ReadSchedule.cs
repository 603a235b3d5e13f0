namespace Fusebox.Redis;

/// <summary>
/// Which breakers a tick reads beyond those that have work of their own (counts to flush, a break or round to run, a
/// repair, a first sync): the ones the change log named, at most <see cref="MaxLoggedReadsPerTick"/> per tick (the rest
/// wait for the next tick), skipping those whose named transition this replica already knows (pub/sub brought it); every
/// breaker after a resync; and the sweep's share. The sweep reads every breaker once per
/// <see cref="RedisStateOptions.SweepInterval"/>, round-robin, a share of them each tick in proportion to the time since
/// the last tick (⌊N × elapsed / SweepInterval⌋, the remainder carried over): it catches a change the log never named (a
/// replica that crashed between its commit and its append) and keeps the keys of breakers in use from expiring. Loop only.
/// </summary>
internal sealed class ReadSchedule(CoordinatorContext context)
{
    /// <summary>Breakers read per tick because the change log (or a resync) named them, at most.</summary>
    public const int MaxLoggedReadsPerTick = 1_000;

    // Names waiting to be read, in arrival order, with the transition the log named (null: read whatever it is).
    private readonly Dictionary<string, LoggedChange?> _named = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private long _lastPlan = -1;
    private long _credit; // breakers × ms owed to the sweep
    private int _next;

    /// <summary>For tests: breakers the sweep has marked so far.</summary>
    public long Swept { get; private set; }

    public void Add(IReadOnlyList<LoggedChange> changes)
    {
        foreach (var change in changes)
        {
            Name(change.Name, change);
        }
    }

    /// <summary>Entries of the log were lost: every breaker is read again (capped per tick like logged names).</summary>
    public void ResyncAll(SharedBreaker[] all)
    {
        foreach (var shared in all)
        {
            Name(shared.Name, null);
        }
    }

    /// <summary>Marks this tick's reads (<see cref="SharedBreaker.ReadDue"/>).</summary>
    public void Plan(SharedBreaker[] all, Func<string, SharedBreaker?> find, long now)
    {
        for (int read = 0; read < MaxLoggedReadsPerTick && _order.TryDequeue(out var name);)
        {
            var change = _named[name];
            _named.Remove(name);
            if (find(name) is { } shared && !Knows(shared, change))
            {
                shared.ReadDue = true;
                read++;
            }
        }

        long elapsed = _lastPlan < 0 ? 0 : Math.Max(0, now - _lastPlan);
        _lastPlan = now;
        if (all.Length == 0)
        {
            _credit = 0;
            return;
        }

        long sweepMs = context.SweepIntervalMs;
        _credit += all.Length * elapsed;
        long share = _credit / sweepMs;
        _credit -= share * sweepMs;
        if (share >= all.Length)
        {
            (share, _credit) = (all.Length, 0); // a long pause (an outage): one full round, not several
        }

        for (long i = 0; i < share; i++)
        {
            all[(_next + (int)i) % all.Length].ReadDue = true;
        }

        _next = (int)((_next + share) % all.Length);
        Swept += share;
    }

    private void Name(string name, LoggedChange? change)
    {
        if (_named.TryGetValue(name, out var queued))
        {
            // Already waiting: read it once, for the newer transition (or whatever it is, if either says so).
            _named[name] = queued is { } q && change is { } c ? (c.Generation >= q.Generation ? c : q) : null;
            return;
        }

        _named[name] = change;
        _order.Enqueue(name);
    }

    /// <summary>This replica already knows the transition the log named (same epoch, same or newer generation).</summary>
    private static bool Knows(SharedBreaker shared, LoggedChange? change)
    {
        if (change is not { } c)
        {
            return false;
        }

        lock (shared.Gate)
        {
            return shared.View is { } view && string.Equals(view.Epoch, c.Epoch, StringComparison.Ordinal) && view.Generation >= c.Generation;
        }
    }
}
