namespace Fusebox;

/// <summary>What a <see cref="TripMeter"/> concluded from the outcome it just recorded.</summary>
public enum TripDecision
{
    /// <summary>Stay closed.</summary>
    None = 0,

    /// <summary>Open: the consecutive-failure threshold was reached.</summary>
    ConsecutiveFailures,

    /// <summary>Open: the failure rate reached its threshold.</summary>
    FailureRate,

    /// <summary>Open: the slow-call rate reached its threshold.</summary>
    SlowCallRate,
}
