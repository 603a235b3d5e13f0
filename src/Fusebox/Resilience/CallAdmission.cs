using System.Diagnostics.CodeAnalysis;

namespace Fusebox;

/// <summary>
/// An admission stage of a <see cref="ResilientCaller"/> (<see cref="ResilientCallerOptions.Admission"/>): asked before
/// every attempt, inside the breaker, whether the attempt may be sent now; a bulkhead or a concurrency limiter
/// (Fusebox.RateLimiting's adaptive limiter plugs in here). Its rejections are load shedding: the breaker never hears of
/// them (the permit is released unreported), and the caller gets an <see cref="AdmissionRejectedException"/> or the
/// fallback for <see cref="FallbackReason.Rejected"/>.
/// </summary>
/// <remarks>
/// The caller pairs the calls: every <see cref="TryEnter"/> that returns true is followed by exactly one
/// <see cref="Exit"/> with the ticket it gave, when that attempt ends, on every path. The core holds only this abstract
/// class, so it takes no dependency on System.Threading.RateLimiting. Implementations must be thread-safe and should not
/// throw from <see cref="Exit"/> (an exception there propagates to the caller; the breaker's permit is still released).
/// </remarks>
public abstract class CallAdmission
{
    /// <summary>Creates a stage.</summary>
    /// <param name="name">Names the stage in <see cref="AdmissionRejectedException"/>; not empty.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    protected CallAdmission(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
    }

    /// <summary>The stage's name, for rejections and logs.</summary>
    public string Name { get; }

    /// <summary>Admits one attempt now, or refuses at once (a stage never waits).</summary>
    /// <param name="ticket">When admitted: what <see cref="Exit"/> gets back (a lease, say); opaque to the caller.</param>
    /// <param name="retryAfter">When refused: how long until a slot is likely, if the stage knows.</param>
    /// <returns>True when the attempt may be sent.</returns>
    public abstract bool TryEnter([NotNullWhen(true)] out object? ticket, out TimeSpan? retryAfter);

    /// <summary>The admitted attempt ended: frees its slot and tells the stage how it went.</summary>
    /// <param name="ticket">The ticket <see cref="TryEnter"/> gave for this attempt.</param>
    /// <param name="outcome">How the attempt ended.</param>
    public abstract void Exit(object ticket, AdmissionOutcome outcome);
}

/// <summary>How an attempt admitted by a <see cref="CallAdmission"/> ended.</summary>
public enum AdmissionOutcome
{
    /// <summary>The operation returned (its result may still count as a failure for the breaker).</summary>
    Succeeded = 0,

    /// <summary>The operation threw.</summary>
    Failed,

    /// <summary>The attempt timed out (attempt or overall timeout): a sign of overload, as Netflix concurrency-limits' "dropped".</summary>
    Overloaded,

    /// <summary>The attempt tells nothing about the dependency: the caller cancelled, or a hedge lost and was cancelled.</summary>
    Ignored,
}
