namespace Checkout.Tests;

/// <summary>
/// The half-open rounds a replica went through as part of the shared breaker: those after it adopted the cluster's
/// first open. Before that, in quorum mode, each replica's breaker is still its own: a replica whose local breaker
/// tripped before the quorum formed runs its own break and half-open round (CI once saw replica-a go half-open at
/// 3.19 s on its own, while the cluster opened at 3.31 s), so counting every half-open entry of the outage compares a
/// local round with nothing and reads "6/5" for two replicas that then agreed on every round.
/// </summary>
internal static class SharedRounds
{
    private const string ClusterPrefix = "cluster: ";

    /// <summary>The reasons of the half-open entries after the first entry the cluster decided, in order. Each
    /// names the replica that started the round ("cluster: break duration elapsed (by replica-a)"), so two replicas
    /// sharing one breaker have the same list, and a round one replica missed or ran alone shows as a difference.</summary>
    public static IReadOnlyList<string> Of(IEnumerable<(double AtSeconds, string State, string Reason)> timeline) =>
        [.. timeline
            .SkipWhile(e => !e.Reason.StartsWith(ClusterPrefix, StringComparison.Ordinal))
            .Where(e => e.State == "half_open")
            .Select(e => e.Reason)];

    /// <summary>Null when both replicas went through the same shared rounds, else what differs.</summary>
    public static string? Difference(IReadOnlyList<string> first, IReadOnlyList<string> second)
    {
        if (first.Count == 0)
        {
            return "no shared half-open round at all";
        }

        if (first.SequenceEqual(second))
        {
            return null;
        }

        return $"shared half-open rounds differ: [{string.Join("; ", first)}] against [{string.Join("; ", second)}]";
    }
}
