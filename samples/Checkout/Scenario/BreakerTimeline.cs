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

    /// <summary>
    /// Starts the clock. Nothing recorded before is forgotten: a change before the first checkout (there should be
    /// none, the warm-up runs on other hosts) stays in the timeline at a negative time.
    /// </summary>
    public void Start(long startedAt)
    {
        lock (_entries)
        {
            for (int i = 0; i < _entries.Count; i++)
            {
                var e = _entries[i];
                _entries[i] = e with { AtSeconds = Math.Round(e.AtSeconds - Stopwatch.GetElapsedTime(_startedAt, startedAt).TotalSeconds, 2) };
            }

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
