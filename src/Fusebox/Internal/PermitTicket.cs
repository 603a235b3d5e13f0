namespace Fusebox.Internal;

/// <summary>
/// Makes "report a permit exactly once" enforceable although <see cref="CircuitPermit"/> is a struct that callers copy
/// freely: every copy carries the same ticket and the sequence number it was issued with, and the first report moves
/// the ticket's sequence on with one compare-and-swap. A second report (through any copy) finds the sequence moved and
/// is refused; nothing is counted twice.
/// </summary>
/// <remarks>
/// Tickets are reused through one spare slot per thread, so a permit costs no allocation in the steady state. Reuse
/// is safe because a ticket is handed out again only after its closing compare-and-swap succeeded, and it is handed
/// out with the moved-on sequence: a stale copy still holds the old one and can never match again (a 64-bit sequence
/// does not wrap). Only the thread that closed a ticket puts it in its own spare slot, so the slot needs no
/// synchronisation; a permit acquired on one thread and reported on another simply leaves its ticket with the
/// reporter.
/// </remarks>
internal sealed class PermitTicket
{
    [ThreadStatic]
    private static PermitTicket? t_spare;

    private long _sequence;

    /// <summary>A ticket ready to be issued, and the sequence number the permit must present to close it.</summary>
    public static PermitTicket Issue(out long sequence)
    {
        var ticket = t_spare;
        if (ticket is null)
        {
            ticket = new PermitTicket();
        }
        else
        {
            t_spare = null;
        }

        sequence = Volatile.Read(ref ticket._sequence);
        return ticket;
    }

    /// <summary>Closes the ticket for the permit issued with <paramref name="sequence"/>; false when it was closed already.</summary>
    public bool TryClose(long sequence)
    {
        if (Interlocked.CompareExchange(ref _sequence, sequence + 1, sequence) != sequence)
        {
            return false;
        }

        t_spare ??= this;
        return true;
    }
}
