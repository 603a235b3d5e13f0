namespace Fusebox.Coordination;

/// <summary>
/// The counts of a breaker's adaptive-throttling window, read without allocating (see
/// <see cref="CoordinationExtensions.ReadThrottleCounts"/>), or the other replicas' counts a coordinator hands it
/// (<see cref="CoordinationExtensions.SetRemoteThrottleCounts"/>).
/// </summary>
/// <param name="Requests">Requests in the window: admitted and throttled calls alike.</param>
/// <param name="Accepts">Requests in the window that the dependency accepted.</param>
/// <param name="Window">The length of the window they were counted over (<see cref="AdaptiveThrottlingOptions.Window"/>).</param>
public readonly record struct ThrottleCounts(long Requests, long Accepts, TimeSpan Window);
