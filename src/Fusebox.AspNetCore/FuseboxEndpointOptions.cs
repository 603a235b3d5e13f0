namespace Fusebox.AspNetCore;

/// <summary>Options of the endpoints mapped by <see cref="FuseboxEndpointRouteBuilderExtensions.MapFusebox"/>.</summary>
public sealed class FuseboxEndpointOptions
{
    /// <summary>
    /// The authorization policy that guards the manual-control endpoints (isolate, disable, reset). With none, those
    /// endpoints answer 403 Forbidden to everyone: control is never open by default.
    /// </summary>
    public string? ControlPolicy { get; set; }

    /// <summary>How often the event stream sends a snapshot of every breaker while a client listens. Default 1 s; [100 ms, 1 min].</summary>
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The dashboard's title. Default "Fusebox".</summary>
    public string Title { get; set; } = "Fusebox";

    internal void Validate()
    {
        if (SnapshotInterval < TimeSpan.FromMilliseconds(100) || SnapshotInterval > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentOutOfRangeException(nameof(SnapshotInterval), SnapshotInterval,
                $"FuseboxEndpointOptions.SnapshotInterval must be in [00:00:00.1, 00:01:00] (was {SnapshotInterval}).");
        }

        if (ControlPolicy is { Length: 0 })
        {
            throw new ArgumentException("FuseboxEndpointOptions.ControlPolicy must not be empty when set.", nameof(ControlPolicy));
        }

        ArgumentNullException.ThrowIfNull(Title, "FuseboxEndpointOptions.Title");
    }
}
