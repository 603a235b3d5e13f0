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

    private RemoteThrottleCounts? _remote;

    public ThrottleStage(AdaptiveThrottlingOptions options, ThrottleStage? previous, long now)
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

        // The remote part is kept while the window keeps its length (counts over the same span, whatever K, the cap or
        // the buckets became; it still expires when it would have); counts over another length are dropped, and the
        // coordinator's next flush brings new ones.
        _remote = previous is not null && previous.Options.Window == options.Window ? Volatile.Read(ref previous._remote) : null;
    }

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

    /// <summary>Counts the outcome of an admitted request: an accept unless it was a failure this stage counts.</summary>
    public void Completed(Completion completion, long now)
    {
        bool notAccepted = OverloadOnly ? completion == Completion.Overloaded : completion >= Completion.Failure;
        if (!notAccepted)
        {
            Window.AddAccept(now);
        }
    }

    /// <summary>The probability the next call would be rejected with.</summary>
    public double Probability(long now)
    {
        double local = Window.Probability(now, K, Cap); // moves the window
        return Volatile.Read(ref _remote) is { } remote && remote.LiveAt(now)
            ? ThrottleWindow.Formula(Window.Requests + remote.Requests, Window.Accepts + remote.Accepts, K, Cap)
            : local;
    }

    /// <summary>The window's own counts now (moved to <paramref name="now"/> first, so an idle window drains).</summary>
    public Coordination.ThrottleCounts LocalCounts(long now)
    {
        _ = Window.Probability(now, K, Cap);
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
