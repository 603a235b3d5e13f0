namespace Fusebox.Replay;

/// <summary>A recorded outcome trace, in time order of admission (records with equal times keep the file's order).</summary>
public sealed class OutcomeTrace
{
    /// <summary>Creates a trace; sorts the records by <see cref="TraceRecord.At"/>, stably.</summary>
    /// <param name="records">The calls. A recorder with concurrent calls may write them a few microseconds out of order.</param>
    /// <param name="origin">The wall-clock time of offset zero, when the trace had ISO-8601 timestamps; else null.</param>
    /// <param name="source">Where it came from (a file name), for messages.</param>
    public OutcomeTrace(IEnumerable<TraceRecord> records, DateTimeOffset? origin = null, string source = "trace")
    {
        ArgumentNullException.ThrowIfNull(records);
        Records = [.. records.OrderBy(r => r.At)]; // OrderBy is stable
        Origin = origin;
        Source = source;
    }

    /// <summary>The calls, in time order.</summary>
    public IReadOnlyList<TraceRecord> Records { get; }

    /// <summary>The wall-clock time of offset zero, or null for a trace with numeric timestamps.</summary>
    public DateTimeOffset? Origin { get; }

    /// <summary>Where the trace came from.</summary>
    public string Source { get; }

    /// <summary>The last completion (or admission) in the trace: its length from offset zero.</summary>
    public TimeSpan End => Records.Count == 0 ? TimeSpan.Zero : Records.Max(r => r.CompletedAt);
}
