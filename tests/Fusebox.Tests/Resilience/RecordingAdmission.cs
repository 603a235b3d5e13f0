using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Fusebox.Tests.Resilience;

/// <summary>A bulkhead of fixed size that records every exit, so tests can check that each admitted attempt exits
/// exactly once and with which outcome. After <c>maxEntries</c> admissions it refuses everything.</summary>
internal sealed class RecordingAdmission(int slots, int maxEntries = int.MaxValue) : CallAdmission("test-bulkhead")
{
    private int _free = slots;
    private int _entered;

    public ConcurrentQueue<AdmissionOutcome> Exits { get; } = new();

    public int Entered => Volatile.Read(ref _entered);

    public int Free => Volatile.Read(ref _free);

    public override bool TryEnter([NotNullWhen(true)] out object? ticket, out TimeSpan? retryAfter)
    {
        retryAfter = TimeSpan.FromMilliseconds(250);
        if (Entered >= maxEntries)
        {
            ticket = null;
            return false;
        }

        if (Interlocked.Decrement(ref _free) < 0)
        {
            Interlocked.Increment(ref _free);
            ticket = null;
            return false;
        }

        Interlocked.Increment(ref _entered);
        ticket = new Ticket();
        return true;
    }

    public override void Exit(object ticket, AdmissionOutcome outcome)
    {
        var t = (Ticket)ticket;
        Assert.Equal(0, Interlocked.Exchange(ref t.Exited, 1)); // a second exit of one ticket fails the test
        Exits.Enqueue(outcome);
        Interlocked.Increment(ref _free);
    }

    private sealed class Ticket
    {
        public int Exited;
    }
}
