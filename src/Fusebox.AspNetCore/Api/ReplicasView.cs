using Fusebox.Coordination;

namespace Fusebox.AspNetCore;

/// <summary>
/// Every replica's own status of a shared breaker, read from its coordinator's store when one breaker is asked for
/// (<c>GET /api/breakers/{name}</c>), never for the list or the event stream.
/// </summary>
/// <param name="Replicas">The replicas that reported, by replica id.</param>
/// <param name="Skipped">Stored entries that could not be read and are left out.</param>
/// <param name="Unavailable">Why nothing could be read (e.g. <c>"Redis unavailable"</c>); null when the read worked.</param>
public sealed record ReplicasView(IReadOnlyList<ReplicaView> Replicas, int Skipped, string? Unavailable)
{
    internal static async Task<ReplicasView?> ReadAsync(CircuitBreaker breaker, CancellationToken cancellationToken)
    {
        if (await breaker.ReadReplicasAsync(cancellationToken).ConfigureAwait(false) is not { } report)
        {
            return null;
        }

        var replicas = report.Replicas.Select(r => new ReplicaView(r.ReplicaId, StateNames.Of(r.LocalState), r.Scope, r.LocalFallback, r.LastSyncedAt, r.ReportedAt)).ToArray();
        return new ReplicasView(replicas, report.Skipped, report.Unavailable);
    }
}

/// <summary>One replica's status as it wrote it when its local state, scope or fallback last changed.</summary>
/// <param name="ReplicaId">The replica's id.</param>
/// <param name="LocalState">Its local state (<c>"open"</c>, <c>"half_open"</c>, ...).</param>
/// <param name="Scope"><c>"cluster"</c> (adopted from the shared state) or <c>"local"</c> (decided alone).</param>
/// <param name="LocalFallback">Whether it ran on its local breaker, the shared store unreachable.</param>
/// <param name="LastSyncedAt">When it had last read the shared state, as of <paramref name="ReportedAt"/>.</param>
/// <param name="ReportedAt">When it wrote this status.</param>
public sealed record ReplicaView(string ReplicaId, string LocalState, string Scope, bool LocalFallback, DateTimeOffset? LastSyncedAt, DateTimeOffset ReportedAt);
