namespace Fusebox.AspNetCore;

/// <summary>Options of the endpoints mapped by <see cref="FuseboxEndpointRouteBuilderExtensions.MapFusebox"/>.</summary>
public sealed class FuseboxEndpointOptions
{
    /// <summary>
    /// The request header every control request (isolate, disable, reset) must carry, with any non-empty value, e.g.
    /// <c>X-Fusebox-Control: 1</c>. A browser sends a header like it only from a script of the page's own origin
    /// (a cross-origin script needs a CORS preflight the API never grants; an HTML form or a <c>no-cors</c> fetch
    /// cannot set it at all), so its presence proves the request is not a cross-site forgery.
    /// </summary>
    public const string ControlRequestHeader = "X-Fusebox-Control";

    /// <summary>The most event-stream connections <see cref="MaxEventStreamConnections"/> may allow.</summary>
    public const int MaxEventStreamConnectionsLimit = 10_000;

    /// <summary>
    /// The authorization policy that guards the manual-control endpoints (isolate, disable, reset). With none, those
    /// endpoints answer 403 Forbidden to everyone: control is never open by default.
    /// </summary>
    public string? ControlPolicy { get; set; }

    /// <summary>
    /// The authorization policy that guards the read endpoints: the dashboard, the breaker list, one breaker, the event
    /// stream and the capabilities. <b>With none (the default) they are anonymous</b>: anyone who can reach the host
    /// sees every breaker's name, state and counts. <see cref="ControlPolicy"/> does not protect them.
    /// </summary>
    public string? ViewPolicy { get; set; }

    /// <summary>How often the event stream sends the breakers that changed while a client listens. Default 1 s; [100 ms, 1 min].</summary>
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The most event-stream connections open at once (all clients together); one more is answered 429 Too Many
    /// Requests. Default 32; [1, <see cref="MaxEventStreamConnectionsLimit"/>].
    /// </summary>
    public int MaxEventStreamConnections { get; set; } = 32;

    /// <summary>The dashboard's title. Default "Fusebox".</summary>
    public string Title { get; set; } = "Fusebox";

    internal void Validate()
    {
        if (SnapshotInterval < TimeSpan.FromMilliseconds(100) || SnapshotInterval > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentOutOfRangeException(nameof(SnapshotInterval), SnapshotInterval,
                $"FuseboxEndpointOptions.SnapshotInterval must be in [00:00:00.1, 00:01:00] (was {SnapshotInterval}).");
        }

        if (MaxEventStreamConnections is < 1 or > MaxEventStreamConnectionsLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxEventStreamConnections), MaxEventStreamConnections,
                $"FuseboxEndpointOptions.MaxEventStreamConnections must be in [1, {MaxEventStreamConnectionsLimit}] (was {MaxEventStreamConnections}).");
        }

        if (ControlPolicy is { Length: 0 })
        {
            throw new ArgumentException("FuseboxEndpointOptions.ControlPolicy must not be empty when set.", nameof(ControlPolicy));
        }

        if (ViewPolicy is { Length: 0 })
        {
            throw new ArgumentException("FuseboxEndpointOptions.ViewPolicy must not be empty when set.", nameof(ViewPolicy));
        }

        ArgumentNullException.ThrowIfNull(Title, "FuseboxEndpointOptions.Title");
    }
}
