using System.Diagnostics;
using Fusebox;

namespace Checkout.Scenario;

/// <summary>Records every state change of a registry's breakers, in seconds from the scenario's start.</summary>
public sealed class BreakerTimeline
{
    private readonly List<TimelineEntry> _entries = [];
    private long _startedAt = Stopwatch.GetTimestamp();

    public BreakerTimeline(CircuitBreakerRegistry registry) =>
        registry.StateChanged += (_, e) =>
        {
            lock (_entries)
            {
                _entries.Add(new TimelineEntry(Math.Round(Stopwatch.GetElapsedTime(_startedAt).TotalSeconds, 2), StateNames.Of(e.NewState), e.Description));
            }
        };

    /// <summary>Starts the clock (and forgets anything before, e.g. the warm-up).</summary>
    public void Start(long startedAt)
    {
        lock (_entries)
        {
            _entries.Clear();
            _startedAt = startedAt;
        }
    }

    public TimelineEntry[] Entries()
    {
        lock (_entries)
        {
            return [.. _entries];
        }
    }
}
