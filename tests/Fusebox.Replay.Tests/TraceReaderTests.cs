namespace Fusebox.Replay.Tests;

public class TraceReaderTests
{
    [Fact]
    public void Csv_with_numeric_timestamps_reads_every_field()
    {
        var trace = TraceReader.ReadCsv(new StringReader("timestamp,outcome,duration_ms\n0.5,success,12.5\n1,failure,3\n2,timeout,100\n3,rejected,0\n"), "t.csv");

        Assert.Equal(
            [new(TimeSpan.FromSeconds(0.5), TraceOutcome.Success, TimeSpan.FromMilliseconds(12.5), 2), new(TimeSpan.FromSeconds(1), TraceOutcome.Failure, TimeSpan.FromMilliseconds(3), 3),
             new(TimeSpan.FromSeconds(2), TraceOutcome.Timeout, TimeSpan.FromMilliseconds(100), 4), new TraceRecord(TimeSpan.FromSeconds(3), TraceOutcome.Rejected, TimeSpan.Zero, 5)],
            trace.Records);
        Assert.Null(trace.Origin);
    }

    [Fact]
    public void Iso_timestamps_are_offsets_from_the_first_record()
    {
        var trace = TraceReader.ReadCsv(new StringReader("timestamp,outcome,duration_ms\n2026-12-01T17:00:00Z,success,1\n2026-12-01T18:00:02.250+01:00,failure,1\n"), "t.csv");

        Assert.Equal(new DateTimeOffset(2026, 12, 1, 17, 0, 0, TimeSpan.Zero), trace.Origin);
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(2.25)], trace.Records.Select(r => r.At));
    }

    [Fact]
    public void Records_are_sorted_by_time_stably()
    {
        var trace = Traces.Csv((2, "success", 0), (1, "failure", 0), (1, "timeout", 0));

        Assert.Equal([TraceOutcome.Failure, TraceOutcome.Timeout, TraceOutcome.Success], trace.Records.Select(r => r.Outcome));
    }

    [Fact]
    public void Json_lines_read_the_same_fields_and_ignore_others()
    {
        var trace = TraceReader.ReadJsonLines(new StringReader("""
            {"timestamp": 1.5, "outcome": "failure", "duration_ms": 20, "breaker": "fraud"}
            {"timestamp": "2", "outcome": "success", "duration_ms": 0}
            """), "t.jsonl");

        Assert.Equal([(TimeSpan.FromSeconds(1.5), TraceOutcome.Failure, TimeSpan.FromMilliseconds(20)), (TimeSpan.FromSeconds(2), TraceOutcome.Success, TimeSpan.Zero)],
            trace.Records.Select(r => (r.At, r.Outcome, r.Duration)));
    }

    [Theory]
    [InlineData("time,outcome,duration_ms\n", 1, null, "header 'timestamp,outcome,duration_ms'")]
    [InlineData("timestamp,outcome,duration_ms\n1,success\n", 2, null, "expected 3 comma-separated fields")]
    [InlineData("timestamp,outcome,duration_ms\n1,success,1\n2,slow,1\n", 3, "outcome", "allowed: success, failure, timeout, rejected")]
    [InlineData("timestamp,outcome,duration_ms\n1,success,-1\n", 2, "duration_ms", "number of milliseconds in [0,")]
    [InlineData("timestamp,outcome,duration_ms\n1,success,fast\n", 2, "duration_ms", "number of milliseconds")]
    [InlineData("timestamp,outcome,duration_ms\n-1,success,1\n", 2, "timestamp", "0 or more")]
    [InlineData("timestamp,outcome,duration_ms\n2026-12-01T17:00:00,success,1\n", 2, "timestamp", "with a UTC offset")]
    [InlineData("timestamp,outcome,duration_ms\n1,success,1\n2026-12-01T17:00:00Z,success,1\n", 3, "timestamp", "use one kind in a file")]
    [InlineData("timestamp,outcome,duration_ms\n1,success,1\n\n", 3, null, "found 1: ''")]
    public void A_bad_csv_line_names_file_line_field_and_what_is_allowed(string text, int line, string? field, string allowed)
    {
        var error = Assert.Throws<TraceFormatException>(() => TraceReader.ReadCsv(new StringReader(text), "incident.csv"));

        Assert.Equal(("incident.csv", line, field), (error.FileName, error.Line, error.Field));
        Assert.StartsWith($"incident.csv:{line}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(allowed, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"timestamp\":1,\"outcome\":\"success\"}", "duration_ms", "missing")]
    [InlineData("{\"timestamp\":1,\"outcome\":3,\"duration_ms\":1}", "outcome", "must be a JSON string (was number)")]
    [InlineData("{\"timestamp\":1,\"outcome\":\"ok\",\"duration_ms\":1}", "outcome", "allowed: success, failure, timeout, rejected")]
    [InlineData("{\"timestamp\":true,\"outcome\":\"success\",\"duration_ms\":1}", "timestamp", "number or string")]
    [InlineData("[1,2]", null, "expected a JSON object")]
    [InlineData("{\"timestamp\":", null, "not a JSON object")]
    public void A_bad_json_line_names_file_line_field_and_what_is_allowed(string line2, string? field, string allowed)
    {
        string text = "{\"timestamp\":0,\"outcome\":\"success\",\"duration_ms\":1}\n" + line2 + "\n";

        var error = Assert.Throws<TraceFormatException>(() => TraceReader.ReadJsonLines(new StringReader(text), "incident.jsonl"));

        Assert.Equal(("incident.jsonl", 2, field), (error.FileName, error.Line, error.Field));
        Assert.Contains(allowed, error.Message, StringComparison.Ordinal);
    }
}
