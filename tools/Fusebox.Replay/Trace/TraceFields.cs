using System.Globalization;

namespace Fusebox.Replay;

/// <summary>
/// The three fields of a trace record, read the same way from CSV and JSON lines. Timestamps are either all numbers
/// (seconds since the start of the recording) or all ISO-8601 with a UTC offset (<c>2026-12-01T17:00:00.125Z</c>); a
/// mix, a local time without an offset, a negative duration or an unknown outcome is an error, never a skipped line.
/// </summary>
internal sealed class TraceFields(string source)
{
    public const string Timestamp = "timestamp";
    public const string Outcome = "outcome";
    public const string DurationMs = "duration_ms";
    public const string AllowedOutcomes = "success, failure, timeout, rejected";

    private DateTimeOffset? _origin;
    private bool? _numeric;

    /// <summary>The first ISO-8601 timestamp read: offset zero of the trace; null for numeric timestamps.</summary>
    public DateTimeOffset? Origin => _origin;

    public TraceRecord Record(int line, string timestamp, bool timestampIsNumber, string outcome, string duration) =>
        new(At(line, timestamp, timestampIsNumber), OutcomeOf(line, outcome), DurationOf(line, duration), line);

    public TraceFormatException Error(int line, string? field, string problem) => new(source, line, field, problem);

    private TimeSpan At(int line, string text, bool isNumber)
    {
        bool numeric = isNumber || double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
        if (_numeric is { } expected && expected != numeric)
        {
            throw Error(line, Timestamp, $"'{text}' is {(numeric ? "a number" : "an ISO-8601 time")} but earlier lines use {(expected ? "numbers (seconds since start)" : "ISO-8601 times")}; use one kind in a file.");
        }

        _numeric = numeric;
        if (numeric)
        {
            double seconds = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            return double.IsFinite(seconds) && seconds >= 0 && seconds <= TimeSpan.MaxValue.TotalSeconds / 2
                ? TimeSpan.FromSeconds(seconds)
                : throw Error(line, Timestamp, $"'{text}' must be a finite number of seconds since start, 0 or more.");
        }

        // An offset is required: a local time read on another machine would move the whole trace.
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) || !HasOffset(text))
        {
            throw Error(line, Timestamp, $"'{text}' must be seconds since start (e.g. 12.5) or an ISO-8601 time with a UTC offset (e.g. 2026-12-01T17:00:00.125Z).");
        }

        _origin ??= at;
        return at - _origin.Value is { Ticks: >= 0 } offset
            ? offset
            : throw Error(line, Timestamp, $"'{text}' is before the first record ({_origin.Value:O}); an ISO-8601 trace starts with its earliest call.");
    }

    private static bool HasOffset(string text) =>
        text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');

    private TraceOutcome OutcomeOf(int line, string text) => text switch
    {
        "success" => TraceOutcome.Success,
        "failure" => TraceOutcome.Failure,
        "timeout" => TraceOutcome.Timeout,
        "rejected" => TraceOutcome.Rejected,
        _ => throw Error(line, Outcome, $"'{text}' is not an outcome; allowed: {AllowedOutcomes} (lower case)."),
    };

    private TimeSpan DurationOf(int line, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double ms) && double.IsFinite(ms) && ms >= 0 && ms <= CircuitBreakerOptions.MaxDuration.TotalMilliseconds
            ? TimeSpan.FromMilliseconds(ms)
            : throw Error(line, DurationMs, $"'{text}' must be a number of milliseconds in [0, {CircuitBreakerOptions.MaxDuration.TotalMilliseconds:0}].");
}
