namespace Fusebox.AspNetCore;

/// <summary>Why the admin API refused a request; each kind is rate-limited in the log on its own.</summary>
internal enum RefusalKind
{
    /// <summary>A control request that may come from another origin (403).</summary>
    CrossSite,

    /// <summary>No authenticated user where a policy requires one (401).</summary>
    Unauthenticated,

    /// <summary>The user does not satisfy the policy (403).</summary>
    Forbidden,

    /// <summary>Manual control without <see cref="FuseboxEndpointOptions.ControlPolicy"/> (403).</summary>
    ControlDisabled,

    /// <summary>One event-stream connection more than <see cref="FuseboxEndpointOptions.MaxEventStreamConnections"/> (429).</summary>
    TooManyStreams,
}
