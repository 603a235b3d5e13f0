namespace Fusebox.Internal;

/// <summary>
/// Adaptive throttling as the breaker runs it: the validated options, frozen, and the window they count into. Lives
/// in <see cref="BreakerSettings"/>; a reconfiguration that keeps the window's shape hands the window on.
/// </summary>
internal sealed class ThrottleStage
{
    // One delegate for every breaker, as the jitter source.
    private static readonly Func<double> s_sharedRandom = System.Random.Shared.NextDouble;

    /// <summary>The shortest bucket counted on <see cref="CoarseClock"/>: ten of its periods, so that a count lands at
    /// most a tenth of a bucket late.</summary>
    private static readonly long s_coarseMinimumBucketTicks = CoarseClock.Period.Ticks * 10;

    /// <param name="options">Validated throttling options.</param>
    /// <param name="previous">The stage of the settings replaced, whose window is handed on when its shape is the same.</param>
    /// <param name="now">The breaker clock's time, for a new window.</param>
    /// <param name="systemClock">The breaker runs on <see cref="TimeProvider.System"/> (then long buckets use the coarse clock).</param>
    public ThrottleStage(AdaptiveThrottlingOptions options, ThrottleStage? previous, long now, bool systemClock)
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
    }

    /// <summary>
    /// Requests are counted at <see cref="CoarseClock.Now"/> (a static field refreshed every 100 ms) rather than at
    /// the breaker clock's time: on the system clock with buckets of at least a second (the default's are 5 s).
    /// Why: <see cref="Environment.TickCount64"/> costs about 10 ns on the benchmark machine, as much as the rest of the
    /// window's work on a call. The price: a call is counted up to one period (plus the timer callback's delay) late,
    /// at most a tenth of a bucket; nothing is lost, and the window still moves on every call after a refresh. A
    /// breaker on any other clock (a fake in tests) reads it on every call and is exact.
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
        double p = Window.ProbabilityThenAddRequest(now, K, Cap);
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
    public double Probability(long now) => Window.Probability(now, K, Cap);
}
