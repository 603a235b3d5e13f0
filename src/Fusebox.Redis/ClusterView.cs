using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;

namespace Fusebox.Redis;

/// <summary>The shared state of one breaker as read from a script reply or a pub/sub message.</summary>
internal sealed record ClusterView
{
    public required string Epoch { get; init; }

    public required long Generation { get; init; }

    public required BreakerState State { get; init; }

    /// <summary>Open: milliseconds of the shared break left when Redis answered.</summary>
    public long OpenLeftMs { get; init; }

    public int ConsecutiveOpens { get; init; }

    public string Description { get; init; } = "";

    public string DecidedBy { get; init; } = "";

    public int ProbesLeft { get; init; }

    public int ProbeSuccesses { get; init; }

    public int SuccessesToClose { get; init; }

    public int ProbeSlots { get; init; }

    /// <summary>Half-open: milliseconds left before the round may be restarted.</summary>
    public long RoundLeftMs { get; init; }

    /// <summary>The script's result code (0 lost/ignored, 1 done, 2 done and transitioned).</summary>
    public int Code { get; init; }

    public long Extra { get; init; }

    /// <summary>When this view was received, in <see cref="Environment.TickCount64"/> milliseconds.</summary>
    public long ReceivedAt { get; init; }

    /// <summary>For a message: the deciding replica's wall clock when it sent the script, Unix microseconds.</summary>
    public long SentAtMicros { get; init; }

    public long OpenUntil => ReceivedAt + OpenLeftMs;

    public long RoundDeadline => ReceivedAt + RoundLeftMs;

    public static ClusterView FromReply(RedisResult result)
    {
        var r = (RedisResult[])result!;
        return new ClusterView
        {
            Epoch = (string?)r[0] ?? "",
            Generation = (long)r[1],
            State = (BreakerState)(int)(long)r[2],
            OpenLeftMs = (long)r[3],
            ConsecutiveOpens = (int)(long)r[4],
            Description = (string?)r[5] ?? "",
            DecidedBy = (string?)r[6] ?? "",
            ProbesLeft = (int)(long)r[7],
            ProbeSuccesses = (int)(long)r[8],
            SuccessesToClose = (int)(long)r[9],
            ProbeSlots = (int)(long)r[10],
            RoundLeftMs = (long)r[11],
            Code = (int)(long)r[12],
            Extra = (long)r[13],
            ReceivedAt = Environment.TickCount64,
        };
    }

    /// <summary>Parses a message published by a script; null when it is not one (another publisher on the channel).</summary>
    public static (string Name, ClusterView View)? FromMessage(ReadOnlySpan<byte> json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json.ToArray());
            var root = doc.RootElement;
            string? name = root.GetProperty("n").GetString();
            if (name is null)
            {
                return null;
            }

            var view = new ClusterView
            {
                Epoch = root.GetProperty("e").GetString() ?? "",
                Generation = Int(root, "g"),
                State = (BreakerState)Int(root, "s"),
                OpenLeftMs = Int(root, "r"),
                ConsecutiveOpens = (int)Int(root, "o"),
                Description = root.TryGetProperty("d", out var d) ? d.GetString() ?? "" : "",
                DecidedBy = root.TryGetProperty("w", out var w) ? w.GetString() ?? "" : "",
                ProbesLeft = (int)Int(root, "pl"),
                ProbeSuccesses = (int)Int(root, "ps"),
                SuccessesToClose = (int)Int(root, "pk"),
                ProbeSlots = (int)Int(root, "pn"),
                RoundLeftMs = Int(root, "h"),
                Code = 1,
                ReceivedAt = Environment.TickCount64,
                SentAtMicros = root.TryGetProperty("at", out var at) && long.TryParse(at.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long micros) ? micros : 0,
            };
            return Enum.IsDefined(view.State) ? (name, view) : null;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    // cjson writes integral numbers either as integers or, past 14 digits, in exponent form: read both.
    private static long Int(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
            ? (v.TryGetInt64(out long l) ? l : (long)v.GetDouble())
            : 0;
}
