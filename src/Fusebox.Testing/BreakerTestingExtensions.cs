using Fusebox.Coordination;

namespace Fusebox.Testing;

/// <summary>
/// Puts a breaker into the state a test needs without driving real failures through it. Each method adopts the state
/// through <see cref="CoordinationExtensions.ApplyExternal"/>, the same public path a coordinator uses, so the breaker
/// behaves afterwards exactly as if it had got there itself: rejections carry the right <c>RetryAfter</c>, the break
/// ends on the breaker's own clock (advance a <c>FakeTimeProvider</c> to end it), the next call after the break is a
/// probe, and permits taken before the change report as ignored.
/// </summary>
/// <remarks>
/// A forced change is a transition with <see cref="TransitionReason.External"/>: it raises
/// <see cref="CircuitBreaker.StateChanged"/> (a <see cref="TransitionRecorder"/> sees it) but not
/// <see cref="CircuitBreaker.ManualControl"/>, which belongs to the operator's <see cref="CircuitBreaker.Isolate"/>,
/// <see cref="CircuitBreaker.Disable"/> and <see cref="CircuitBreaker.Reset"/>; test those commands by calling them.
/// A breaker shared through Fusebox.Redis may have a forced state overwritten by the shared one: force local breakers.
/// </remarks>
public static class BreakerTestingExtensions
{
    private const string DefaultDescription = "forced by a test (Fusebox.Testing)";

    /// <summary>
    /// Opens the breaker for exactly <paramref name="retryAfter"/> on its clock (no jitter): until then every call is
    /// rejected with that <c>RetryAfter</c> (counting down as the clock moves), and the first call after it is
    /// admitted as a half-open probe.
    /// </summary>
    /// <param name="breaker">The breaker.</param>
    /// <param name="retryAfter">How long the break lasts; (0, 1 day].</param>
    /// <param name="description">Why, for the event and the snapshot; default "forced by a test (Fusebox.Testing)".</param>
    /// <returns>The generation of the open state.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retryAfter"/> is not in (0, 1 day].</exception>
    public static long ForceOpen(this CircuitBreaker breaker, TimeSpan retryAfter, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(breaker);
        if (retryAfter <= TimeSpan.Zero || retryAfter > CircuitBreakerOptions.MaxDuration)
        {
            throw new ArgumentOutOfRangeException(nameof(retryAfter), retryAfter,
                $"ForceOpen's retryAfter must be greater than zero and at most {CircuitBreakerOptions.MaxDuration} (was {retryAfter}).");
        }

        return breaker.ApplyExternal(new ExternalState { State = BreakerState.Open, OpenFor = retryAfter, Description = description ?? DefaultDescription });
    }

    /// <summary>
    /// Opens the breaker for its own break, as a trip would: <see cref="CircuitBreakerOptions.BreakDuration"/>,
    /// shortened by <see cref="CircuitBreakerOptions.BreakDurationJitter"/> when configured (seed it with
    /// <see cref="CircuitBreakerOptions.JitterSource"/> and <see cref="JitterSources"/> to know the length).
    /// </summary>
    /// <param name="breaker">The breaker.</param>
    /// <param name="description">Why, for the event and the snapshot.</param>
    /// <returns>The generation of the open state.</returns>
    public static long ForceOpen(this CircuitBreaker breaker, string? description = null) =>
        Required(breaker).ApplyExternal(new ExternalState { State = BreakerState.Open, Description = description ?? DefaultDescription });

    /// <summary>
    /// Starts a half-open round, as the end of a break would: <paramref name="probePermits"/> calls are admitted as
    /// probes, further calls are rejected, the breaker closes once
    /// <see cref="CircuitBreakerOptions.SuccessesToClose"/> probes succeeded and re-opens on a failed probe.
    /// </summary>
    /// <param name="breaker">The breaker.</param>
    /// <param name="probePermits">Probes admitted; default <see cref="CircuitBreakerOptions.HalfOpenPermits"/>. At least
    /// the successes the round needs to close (<see cref="CircuitBreakerOptions.SuccessesToClose"/>, else
    /// <see cref="CircuitBreakerOptions.HalfOpenPermits"/>), so the round can always end by itself; at most 1000.</param>
    /// <param name="description">Why, for the event and the snapshot.</param>
    /// <returns>The generation of the half-open state.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="probePermits"/> is out of range.</exception>
    public static long ForceHalfOpen(this CircuitBreaker breaker, int? probePermits = null, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(breaker);
        if (probePermits is { } permits)
        {
            var options = breaker.Options;
            int toClose = options.SuccessesToClose ?? options.HalfOpenPermits;
            if (permits < toClose || permits > 1000)
            {
                // Fewer slots than successes to close would leave a round that can never close by itself.
                throw new ArgumentOutOfRangeException(nameof(probePermits), permits,
                    $"ForceHalfOpen's probePermits must be in [{toClose}, 1000]: at least the {toClose} successful probes breaker '{breaker.Name}' needs to close (was {permits}).");
            }
        }

        return breaker.ApplyExternal(new ExternalState { State = BreakerState.HalfOpen, ProbePermits = probePermits, Description = description ?? DefaultDescription });
    }

    /// <summary>
    /// Closes the breaker with an empty trip window. An already closed breaker raises no event but still loses the
    /// failures its window had counted, so the test starts from a clean slate either way.
    /// </summary>
    /// <param name="breaker">The breaker.</param>
    /// <param name="description">Why, for the event and the snapshot.</param>
    /// <returns>The generation of the closed state.</returns>
    public static long ForceClosed(this CircuitBreaker breaker, string? description = null) =>
        Required(breaker).ApplyExternal(new ExternalState { State = BreakerState.Closed, ClearWindow = true, Description = description ?? DefaultDescription });

    /// <summary>
    /// Moves the breaker to <paramref name="state"/>: <see cref="BreakerState.Open"/> for its own break,
    /// <see cref="BreakerState.HalfOpen"/> with its own probe permits, <see cref="BreakerState.Closed"/> with an empty
    /// window, or <see cref="BreakerState.Isolated"/> / <see cref="BreakerState.Disabled"/> until the next change (unlike
    /// <see cref="CircuitBreaker.Isolate"/> and <see cref="CircuitBreaker.Disable"/>, no <see cref="CircuitBreaker.ManualControl"/> event).
    /// Handy in a <c>[Theory]</c> over every state.
    /// </summary>
    /// <param name="breaker">The breaker.</param>
    /// <param name="state">The state.</param>
    /// <param name="description">Why, for the event and the snapshot.</param>
    /// <returns>The generation of the state in force afterwards.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="state"/> is not a defined <see cref="BreakerState"/>.</exception>
    public static long ForceState(this CircuitBreaker breaker, BreakerState state, string? description = null) => state switch
    {
        BreakerState.Open => breaker.ForceOpen(description),
        BreakerState.HalfOpen => breaker.ForceHalfOpen(description: description),
        BreakerState.Closed => breaker.ForceClosed(description),
        BreakerState.Isolated or BreakerState.Disabled =>
            Required(breaker).ApplyExternal(new ExternalState { State = state, Description = description ?? DefaultDescription }),
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, $"ForceState's state must be a defined BreakerState (was {state})."),
    };

    private static CircuitBreaker Required(CircuitBreaker breaker)
    {
        ArgumentNullException.ThrowIfNull(breaker);
        return breaker;
    }
}
