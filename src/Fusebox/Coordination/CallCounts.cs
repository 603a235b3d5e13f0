namespace Fusebox.Coordination;

/// <summary>A breaker's lifetime call counts, read without allocating (see <see cref="CoordinationExtensions.ReadCallCounts"/>).</summary>
/// <param name="Successful">Calls that ran and counted as successes.</param>
/// <param name="Failed">Calls that ran and counted as failures.</param>
/// <param name="Rejected">Calls rejected without running.</param>
/// <param name="Ignored">Calls that ran but did not count.</param>
/// <param name="Slow">Calls slower than the slow-call threshold.</param>
public readonly record struct CallCounts(long Successful, long Failed, long Rejected, long Ignored, long Slow);
