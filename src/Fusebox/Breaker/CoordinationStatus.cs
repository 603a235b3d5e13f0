namespace Fusebox;

/// <summary>
/// How a breaker's state is coordinated with other processes, as its coordinator (e.g. Fusebox.Redis) reports it in
/// <see cref="CircuitSnapshot.Coordination"/>: whether the current state was decided by the cluster or by this
/// process alone, and whether the process has fallen back to its local breaker because the shared store is away.
/// </summary>
public sealed record CoordinationStatus
{
    /// <summary>Who coordinates the breaker, e.g. <c>"redis"</c>.</summary>
    public required string Coordinator { get; init; }

    /// <summary><c>"cluster"</c> when the state was adopted from the shared state; <c>"local"</c> when this process decided it alone.</summary>
    public required string Scope { get; init; }

    /// <summary>True while the shared store cannot be reached and the breaker decides on its own.</summary>
    public required bool LocalFallback { get; init; }

    /// <summary>A human-readable line, e.g. why the store is unavailable or which replica decided.</summary>
    public string? Detail { get; init; }
}
