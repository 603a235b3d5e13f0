namespace Fusebox.Internal;

/// <summary>
/// Adaptive throttling as the breaker runs it: the validated options, frozen, and the window they count into. Lives
/// in <see cref="BreakerSettings"/>; a reconfiguration that keeps the window's shape hands the window on.
/// </summary>
internal sealed class ThrottleStage
{
    // One delegate for every breaker, as the jitter source.
    private static readonly Func<double> s_sharedRandom = System.Random.Shared.NextDouble;

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
