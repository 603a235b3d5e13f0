using System.Diagnostics.CodeAnalysis;
using System.Threading.RateLimiting;

namespace Fusebox.RateLimiting;

/// <summary>
/// A <see cref="RateLimiter"/> as a <see cref="ResilientCaller"/>'s admission stage: one permit per attempt, taken
/// without waiting (<see cref="RateLimiter.AttemptAcquire(int)"/>), the lease being the ticket. An
/// <see cref="AdaptiveConcurrencyLease"/> also hears how the attempt went: a timeout marks it dropped (AIMD backs off),
/// a cancelled or lost attempt marks it ignored (not a sample).
/// </summary>
internal sealed class RateLimiterAdmission : CallAdmission
{
    private readonly RateLimiter _limiter;

    public RateLimiterAdmission(RateLimiter limiter, string name) : base(name)
    {
        _limiter = limiter;
    }

    public override bool TryEnter([NotNullWhen(true)] out object? ticket, out TimeSpan? retryAfter)
    {
        // The adaptive limiter's own method: its rejection is a shared instance, so refusing allocates nothing.
        var lease = _limiter is AdaptiveConcurrencyLimiter adaptive ? adaptive.TryAcquire() : _limiter.AttemptAcquire();
        if (lease.IsAcquired)
        {
            ticket = lease;
            retryAfter = null;
            return true;
        }

        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : null;
        lease.Dispose(); // a refused lease holds nothing, but RateLimiter's contract is that every lease is disposed
        ticket = null;
        return false;
    }

    public override void Exit(object ticket, AdmissionOutcome outcome)
    {
        var lease = (RateLimitLease)ticket;
        if (lease is AdaptiveConcurrencyLease adaptive)
        {
            if (outcome == AdmissionOutcome.Overloaded)
            {
                adaptive.MarkDropped();
            }
            else if (outcome == AdmissionOutcome.Ignored)
            {
                adaptive.MarkIgnored();
            }
        }

        lease.Dispose();
    }
}
