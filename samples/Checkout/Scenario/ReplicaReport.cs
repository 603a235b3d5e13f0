namespace Checkout.Scenario;

/// <summary>One payment replica of the two-replica scenario.</summary>
/// <param name="Name">The replica's id (also its Redis replica id in the shared run).</param>
/// <param name="TrafficShare">Its share of the run's checkouts: load balancing is rarely even.</param>
/// <param name="Checkouts">Its checkouts and its breaker's timeline.</param>
/// <param name="StoppedAfterSeconds">When its breaker first left Closed, in seconds after the outage began; null if never.</param>
/// <param name="OutageFraudCalls">Calls it made to the fraud service while the service was down (the simulator counts them).</param>
/// <param name="HalfOpenRounds">How often its breaker went half-open during the outage.</param>
public sealed record ReplicaSummary(string Name, double TrafficShare, RunSummary Checkouts, double? StoppedAfterSeconds, int OutageFraudCalls, int HalfOpenRounds);

/// <summary>Two replicas calling one fraud service, with either local or shared breakers.</summary>
/// <param name="Name">"local breakers" or "shared (mode)".</param>
/// <param name="Replicas">Both replicas.</param>
/// <param name="StateAgreement">The fraction of the outage during which both breakers were in the same state (sampled every 5 ms).</param>
public sealed record ReplicaPairSummary(string Name, IReadOnlyList<ReplicaSummary> Replicas, double StateAgreement)
{
    /// <summary>Calls both replicas made to the fraud service while it was down.</summary>
    public int OutageFraudCalls => Replicas.Sum(r => r.OutageFraudCalls);

    /// <summary>Seconds between the first and the last replica to stop calling; null unless both stopped.</summary>
    public double? StopSpreadSeconds => Replicas.All(r => r.StoppedAfterSeconds is not null)
        ? Replicas.Max(r => r.StoppedAfterSeconds!.Value) - Replicas.Min(r => r.StoppedAfterSeconds!.Value)
        : null;

    /// <summary>Checkouts lost by either replica (must be 0).</summary>
    public int Lost => Replicas.Sum(r => r.Checkouts.Lost);
}

/// <summary>The two-replica scenario: the same outage against local breakers and against breakers shared through Redis.</summary>
public sealed record ReplicaScenarioReport(double DurationSeconds, int RatePerSecond, string Redis, ReplicaPairSummary Local, ReplicaPairSummary Shared);
