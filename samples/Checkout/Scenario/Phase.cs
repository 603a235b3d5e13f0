namespace Checkout.Scenario;

/// <summary>The scripted life of the fraud service.</summary>
public enum Phase
{
    /// <summary>Answers in a few milliseconds.</summary>
    Healthy,

    /// <summary>Down, the worst way: requests hang for seconds (a dead host behind a load balancer).</summary>
    Timeouts,

    /// <summary>Still down but failing fast: 503 Service Unavailable.</summary>
    Errors,

    /// <summary>Back up.</summary>
    Recovered,
}

/// <summary>When each phase starts, as a fraction of the scenario: 20 % healthy, 40 % timeouts, 20 % errors, 20 % recovered.</summary>
public sealed class PhaseSchedule(TimeSpan duration)
{
    private static readonly (double Start, Phase Phase)[] s_phases =
        [(0.00, Phase.Healthy), (0.20, Phase.Timeouts), (0.60, Phase.Errors), (0.80, Phase.Recovered)];

    public TimeSpan Duration => duration;

    /// <summary>When the fraud service goes down (the first outage phase starts).</summary>
    public TimeSpan OutageStart => duration * s_phases.First(p => IsOutage(p.Phase)).Start;

    /// <summary>When it is back up (the first phase after the outage starts).</summary>
    public TimeSpan OutageEnd => duration * s_phases.SkipWhile(p => !IsOutage(p.Phase)).First(p => !IsOutage(p.Phase)).Start;

    public Phase At(TimeSpan elapsed)
    {
        double f = elapsed / duration;
        var phase = Phase.Healthy;
        foreach (var (start, p) in s_phases)
        {
            if (f >= start)
            {
                phase = p;
            }
        }

        return phase;
    }

    /// <summary>True for the phases in which the fraud service is down.</summary>
    public static bool IsOutage(Phase phase) => phase is Phase.Timeouts or Phase.Errors;
}
