namespace Fusebox.Internal;

/// <summary>
/// Adaptive throttling as the breaker runs it: the validated options, frozen, and the window they count into. Lives
/// in <see cref="BreakerSettings"/>; a reconfiguration that keeps the window's shape hands the window on.
/// </summary>
/// <remarks>
/// The other replicas' counts (<see cref="RemoteThrottleCounts"/>, set by a coordinator) are added to the window's
/// when the probability is computed. Interleaving: the coordinator publishes a new immutable object with one
/// reference write, and an admission reads the reference once, so it pairs requests and accepts of one hand-over,
/// never a request count of one with an accept count of another; an admission racing a hand-over uses the previous
/// one (a flush stale), and two coordinators racing leave the later write. The reference is read once per admission
/// and the expiry is one comparison, so a breaker without remote counts pays a null check.
/// </remarks>
internal sealed class ThrottleStage
{
    // One delegate for every breaker, as the jitter source.
    private static readonly Func<double> s_sharedRandom = System.Random.Shared.NextDouble;

    /// <summary>The shortest bucket counted on <see cref="CoarseClock"/>: ten of its periods, so that a count lands at
    /// most a tenth of a bucket late.</summary>
    private static readonly long s_coarseMinimumBucketTicks = CoarseClock.Period.Ticks * 10;

    private RemoteThrottleCounts? _remote;

    /// <param name="options">Validated throttling options.</param>
    /// <param name="previous">The stage of the settings replaced, whose window is handed on when its shape is the same.</param>
    /// <param name="now">The breaker clock's time, for a new window.</param>
    /// <param name="systemClock">The breaker runs on <see cref="TimeProvider.System"/> (then long buckets use the coarse clock).</param>
    public ThrottleStage(AdaptiveThrottlingOptions options, ThrottleStage? previous, long now, bool systemClock = false)
    {
        Options = options;
        Window = previous is not null && previous.Options.SameWindowAs(options)
            ? previous.Window
            : new ThrottleWindow(options.Window, options.Buckets, now);
        Random = options.RandomSource ?? s_sharedRandom;
        K = options.AcceptsMultiplier;
        Cap = options.MaxRejectionProbability;
        OverloadOnly = options.NotAccepted == ThrottlingSignal.Overload;
        IsOverloadException = options.IsOverloadException;
        IsOverloadResult = options.IsOverloadResult is { IsAsynchronous: false } clauses ? clauses : null;
        UsesCoarseClock = systemClock && options.Window.Ticks / options.Buckets >= s_coarseMinimumBucketTicks;
        if (UsesCoarseClock)
        {
            CoarseClock.EnsureStarted();
        }

        // The remote part is kept while the window keeps its length (counts over the same span, whatever K, the cap or
        // the buckets became; it still expires when it would have); counts over another length are dropped, and the
        // coordinator's next flush brings new ones.
        _remote = previous is not null && previous.Options.Window == options.Window ? Volatile.Read(ref previous._remote) : null;
    }

    /// <summary>
    /// Requests are counted at <see cref="CoarseClock.Now"/> (a static field refreshed every 100 ms) rather than at
    /// the breaker clock's time: on the system clock with buckets of at least a second (the default's are 5 s).
    /// Why: <see cref="Environment.TickCount64"/> costs about 10 ns on the benchmark machine, as much as the rest of the
    /// window's work on a call. The price: a call is counted up to one period (plus the timer callback's delay) late,
    /// at most a tenth of a bucket; nothing is lost, and the window still moves on every call after a refresh (the
    /// other replicas' counts, compared with the same time, expire up to a period late too). A breaker on any other
    /// clock (a fake in tests) reads it on every call and is exact.
    /// </summary>
    public bool UsesCoarseClock { get; }

    public AdaptiveThrottlingOptions Options { get; }

    public ThrottleWindow Window { get; }

    public Func<double> Random { get; }

    public double K { get; }

    public double Cap { get; }

    /// <summary>Only overloads count as not accepted (<see cref="ThrottlingSignal.Overload"/>).</summary>
    public bool OverloadOnly { get; }

    public Func<Exception, bool>? IsOverloadException { get; }

    public ResultPredicate? IsOverloadResult { get; }

    /// <summary>Counts one request and decides it: true to admit. The probability is read before this request is
    /// counted, and the random source is called only when it is above 0.</summary>
    public bool Admit(long now)
    {
        RemoteThrottleCounts? remote = Volatile.Read(ref _remote); // once: see the remarks
        double p = remote is not null && remote.LiveAt(now)
            ? ProbabilityWithRemoteThenAddRequest(now, remote)
            : Window.ProbabilityThenAddRequest(now, K, Cap);
        return p <= 0 || Random() >= p;
    }

    /// <summary>Counts the outcome of an admitted request: an accept unless it was a failure this stage counts. The
    /// accept goes to the bucket of <paramref name="admittedAt"/>, the time its request was counted at, so that a
    /// request and its accept leave the window together (and the completion reads no clock).</summary>
    public void Completed(Completion completion, long admittedAt)
    {
        bool notAccepted = OverloadOnly ? completion == Completion.Overloaded : completion >= Completion.Failure;
        if (!notAccepted)
        {
            Window.AddAccept(admittedAt);
        }
    }

    /// <summary>The probability the next call would be rejected with.</summary>
    public double Probability(long now)
    {
        Window.Advance(now);
        return Volatile.Read(ref _remote) is { } remote && remote.LiveAt(now)
            ? ThrottleWindow.Formula(Window.Requests + remote.Requests, Window.Accepts + remote.Accepts, K, Cap)
            : ThrottleWindow.Formula(Window.Requests, Window.Accepts, K, Cap);
    }

    /// <summary>The window's own counts now (moved to <paramref name="now"/> first, so an idle window drains).</summary>
    public Coordination.ThrottleCounts LocalCounts(long now)
    {
        Window.Advance(now);
        return new(Window.Requests, Window.Accepts, Options.Window);
    }

    /// <summary>Hands over the other replicas' counts, counting for one window from <paramref name="now"/>; zeros
    /// remove them (no object, and admissions take the local path).</summary>
    public void SetRemote(long requests, long accepts, long now) =>
        Volatile.Write(ref _remote, requests == 0 && accepts == 0 ? null : new RemoteThrottleCounts(requests, accepts, now + Options.Window.Ticks));

    /// <summary>The admission's probability with the remote counts added. The request is counted first (which moves
    /// the window), then taken back out of the total read, so the probability is the one before this request, as on
    /// the local path; concurrent requests may be in the total already, as there.</summary>
    private double ProbabilityWithRemoteThenAddRequest(long now, RemoteThrottleCounts remote)
    {
        Window.AddRequest(now);
        return ThrottleWindow.Formula(Window.Requests - 1 + remote.Requests, Window.Accepts + remote.Accepts, K, Cap);
    }
}
