using System.Threading.RateLimiting;

namespace Fusebox.RateLimiting;

/// <summary>Plugs a <see cref="RateLimiter"/> into Fusebox as an admission stage (<see cref="CallAdmission"/>).</summary>
public static class RateLimiterAdmissionExtensions
{
    /// <summary>
    /// The limiter as an admission stage, for <see cref="ResilientCallerOptions.Admission"/> or the HTTP handler's
    /// <c>FuseboxHttpHandlerOptions.Admission</c>: each attempt takes one permit without waiting and gives it back when
    /// it ends. Its refusals are load shedding: never breaker failures, surfaced as <see cref="AdmissionRejectedException"/>.
    /// With an <see cref="AdaptiveConcurrencyLimiter"/>, timeouts count as drops and cancelled attempts are not samples.
    /// Share one limiter (and one stage) between the callers it should bound: it counts what they have in flight together.
    /// </summary>
    /// <param name="limiter">The limiter; a permit count of 1 is taken per attempt.</param>
    /// <param name="name">Names the stage in rejections; default <c>"concurrency"</c>.</param>
    /// <returns>The stage.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="limiter"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public static CallAdmission ToAdmission(this RateLimiter limiter, string name = "concurrency")
    {
        ArgumentNullException.ThrowIfNull(limiter);
        return new RateLimiterAdmission(limiter, name);
    }
}
