namespace Checkout.Tests;

/// <summary>
/// The comparison <see cref="ReplicaScenarioTests"/> makes of the shared replicas' half-open rounds, on the timelines
/// of the clean-clone CI run (commit 342ffd0) in which the old comparison, "the same number of half-open entries
/// during the outage", failed with "half-open rounds 6/5".
/// </summary>
public class SharedRoundsTests
{
    private const double OutageStart = 3;
    private const double OutageEnd = 12;

    // replica-a's local breaker tripped at 2.68 s on a loaded machine and ran a round of its own (3.19 s) before
    // replica-b's trip formed the quorum at 3.31 s; from then on both went through the same six rounds.
    private static readonly (double, string, string)[] s_replicaA =
    [
        (2.68, "open", "5 consecutive failures"),
        (3.19, "half_open", "break duration elapsed"),
        (3.30, "open", "a half-open probe failed"),
        (3.31, "open", "cluster: local breakers tripped on 2 of 2 replicas (by replica-b)"),
        (3.89, "half_open", "cluster: break duration elapsed (by replica-a)"),
        (4.18, "open", "cluster: a half-open probe failed on replica replica-b (by replica-b)"),
        (5.22, "half_open", "cluster: break duration elapsed (by replica-b)"),
        (5.45, "open", "cluster: a half-open probe failed on replica replica-b (by replica-b)"),
        (7.46, "half_open", "cluster: break duration elapsed (by replica-b)"),
        (7.65, "open", "a half-open probe failed"),
        (7.66, "open", "cluster: a half-open probe failed on replica replica-a (by replica-a)"),
        (9.69, "half_open", "cluster: break duration elapsed (by replica-a)"),
        (9.76, "open", "cluster: a half-open probe failed on replica replica-b (by replica-b)"),
        (11.78, "half_open", "cluster: break duration elapsed (by replica-b)"),
        (11.87, "open", "a half-open probe failed"),
        (11.87, "open", "cluster: a half-open probe failed on replica replica-a (by replica-a)"),
        (13.89, "half_open", "cluster: break duration elapsed (by replica-a)"),
        (14.04, "closed", "cluster: 1 half-open probes succeeded (by replica-b)"),
    ];

    private static readonly (double, string, string)[] s_replicaB =
    [
        (3.31, "open", "5 consecutive failures"),
        (3.31, "open", "cluster: local breakers tripped on 2 of 2 replicas (by replica-b)"),
        (3.88, "half_open", "cluster: break duration elapsed (by replica-a)"),
        (4.17, "open", "a half-open probe failed"),
        (4.18, "open", "cluster: a half-open probe failed on replica replica-b (by replica-b)"),
        (5.22, "half_open", "cluster: break duration elapsed (by replica-b)"),
        (5.45, "open", "a half-open probe failed"),
        (5.45, "open", "cluster: a half-open probe failed on replica replica-b (by replica-b)"),
        (7.46, "half_open", "cluster: break duration elapsed (by replica-b)"),
        (7.66, "open", "cluster: a half-open probe failed on replica replica-a (by replica-a)"),
        (9.69, "half_open", "cluster: break duration elapsed (by replica-a)"),
        (9.76, "open", "a half-open probe failed"),
        (9.76, "open", "cluster: a half-open probe failed on replica replica-b (by replica-b)"),
        (11.78, "half_open", "cluster: break duration elapsed (by replica-b)"),
        (11.87, "open", "cluster: a half-open probe failed on replica replica-a (by replica-a)"),
        (13.89, "half_open", "cluster: break duration elapsed (by replica-a)"),
        (14.05, "closed", "cluster: 1 half-open probes succeeded (by replica-b)"),
    ];

    [Fact]
    public void The_old_comparison_fails_on_the_recorded_run()
    {
        // What the scenario test asserted before: the report's "half-open rounds during outage" agree.
        static int RoundsDuringOutage((double At, string State, string)[] timeline) =>
            timeline.Count(e => e.At >= OutageStart && e.At < OutageEnd && e.State == "half_open");

        Assert.Equal(6, RoundsDuringOutage(s_replicaA));
        Assert.Equal(5, RoundsDuringOutage(s_replicaB));
    }

    [Fact]
    public void A_round_a_replica_ran_alone_before_the_quorum_formed_is_not_a_shared_round()
    {
        var a = SharedRounds.Of(s_replicaA);
        var b = SharedRounds.Of(s_replicaB);

        Assert.Equal(6, a.Count);
        Assert.Null(SharedRounds.Difference(a, b));
    }

    [Fact]
    public void A_shared_round_one_replica_missed_is_a_difference()
    {
        var withoutOneRound = s_replicaB.Where(e => e.Item1 != 7.46).ToArray();

        string? difference = SharedRounds.Difference(SharedRounds.Of(s_replicaA), SharedRounds.Of(withoutOneRound));

        Assert.NotNull(difference);
        Assert.Contains("differ", difference, StringComparison.Ordinal);
    }

    [Fact]
    public void A_round_started_by_a_different_replica_is_a_difference()
    {
        var otherStarter = s_replicaB.Select(e => e.Item1 == 9.69 ? (e.Item1, e.Item2, "cluster: break duration elapsed (by replica-b)") : e).ToArray();

        Assert.NotNull(SharedRounds.Difference(SharedRounds.Of(s_replicaA), SharedRounds.Of(otherStarter)));
    }

    [Fact]
    public void No_shared_round_at_all_is_a_difference()
    {
        (double, string, string)[] localOnly = [(3.1, "open", "5 consecutive failures"), (3.6, "half_open", "break duration elapsed")];

        Assert.NotNull(SharedRounds.Difference(SharedRounds.Of(localOnly), SharedRounds.Of(localOnly)));
    }
}
