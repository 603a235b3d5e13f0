namespace Fusebox;

/// <summary>What a trip policy currently sees: the calls in its window and how many failed or were slow.</summary>
/// <param name="Calls">Calls in the window. For the consecutive-failure policy the window is "since the last success".</param>
/// <param name="Failures">Failed calls in the window.</param>
/// <param name="SlowCalls">Slow calls in the window.</param>
public readonly record struct WindowStatistics(long Calls, long Failures, long SlowCalls)
{
    /// <summary>Failures / calls, or 0 when the window is empty.</summary>
    public double FailureRate => Calls == 0 ? 0 : (double)Failures / Calls;

    /// <summary>Slow calls / calls, or 0 when the window is empty.</summary>
    public double SlowCallRate => Calls == 0 ? 0 : (double)SlowCalls / Calls;
}
