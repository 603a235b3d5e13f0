using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;

namespace Fusebox.Redis;

/// <summary>The longest break and half-open round a shared state may have left: beyond them it is corrupt.</summary>
/// <param name="MaxOpenMs">The longest break left, ms.</param>
/// <param name="MaxRoundMs">The longest half-open round left, ms.</param>
internal readonly record struct ViewLimits(long MaxOpenMs, long MaxRoundMs)
{
    public const int MaxProbeField = 1000;
    public const int MaxConsecutiveOpens = 1_000_000;

    /// <summary>
    /// The caps a reply is checked against here: at most a day (<see cref="CircuitBreakerOptions.MaxDuration"/>), the
    /// longest break or round any breaker can have. The tighter check, an open-until beyond the break the deciding
    /// replica gave it, is made by the scripts (field <c>ub</c>): replicas may be configured differently (a rolling
    /// change of <see cref="CircuitBreakerOptions.BreakDuration"/>), so this replica's own options are no cap for a
    /// state another replica decided.
    /// </summary>
    public static readonly ViewLimits Absolute =
        new((long)CircuitBreakerOptions.MaxDuration.TotalMilliseconds, (long)CircuitBreakerOptions.MaxDuration.TotalMilliseconds);

    /// <summary>How long a shared half-open round lasts before another replica may restart it.</summary>
    public static long RoundMs(CircuitBreakerOptions breaker, RedisStateOptions shared) =>
        (long)(shared.ProbeRoundTimeout ?? breaker.ProbeTimeout + (2 * shared.FlushInterval)).TotalMilliseconds;
}

/// <summary>A reply or message from Redis after validation: a view, or what is wrong with the breaker's keys.</summary>
/// <param name="View">The valid view; null when corrupt.</param>
/// <param name="Corruption">What is wrong; null when valid.</param>
/// <param name="Rejected">A view that parsed but is out of range (its epoch and generation let the repair remove exactly it).</param>
internal sealed record ParsedReply(ClusterView? View, string? Corruption, ClusterView? Rejected = null)
{
    public static ParsedReply Valid(ClusterView view) => new(view, null);

    public static ParsedReply Corrupt(string corruption, ClusterView? rejected = null) => new(null, corruption, rejected);

    public static ParsedReply Checked(ClusterView view, ViewLimits limits) =>
        ReplyParser.Check(view, limits) is { } corruption ? Corrupt(corruption, view) : Valid(view);
}

/// <summary>
/// The boundary between Redis and the coordinator: every script reply and every pub/sub message passes through here
/// and comes out as a <see cref="ClusterView"/> whose fields are all in range, or as a description of the corruption
/// (<c>field s = 9, allowed [0, 4]</c>). The scripts check the stored fields' syntax (a non-integer, a state that is
/// not 0–4: reply <c>{'!', field, value}</c>); this checks the ranges that depend on the breaker's options. Pure.
/// </summary>
internal static class ReplyParser
{
    private const int ReplyLength = 14;
    private const int ThrottledReplyLength = 16; // a flush with the throttle hash: the other replicas' requests, accepts

    public static ParsedReply Parse(RedisResult result, ViewLimits limits, long receivedAt, long requestedAt = 0)
    {
        RedisResult[]? r = result.Resp2Type == ResultType.Array ? (RedisResult[]?)result : null;
        if (r is null)
        {
            return ParsedReply.Corrupt($"malformed reply ({result.Resp2Type})");
        }

        if (r.Length == 3 && string.Equals((string?)r[0], "!", StringComparison.Ordinal))
        {
            string field = (string?)r[1] ?? "?";
            return ParsedReply.Corrupt($"field {field} = {Quote((string?)r[2])}, allowed {AllowedRange(field)}");
        }

        if (r.Length is not (ReplyLength or ThrottledReplyLength) || r.Skip(1).Where((_, i) => i is not 4 and not 5).Any(e => e.Resp2Type != ResultType.Integer))
        {
            return ParsedReply.Corrupt($"malformed reply ({r.Length} elements)");
        }

        var view = new ClusterView
        {
            Epoch = (string?)r[0] ?? "",
            Generation = (long)r[1],
            State = (BreakerState)(long)r[2],
            OpenLeftMs = (long)r[3],
            ConsecutiveOpens = Int32(r[4]),
            Description = (string?)r[5] ?? "",
            DecidedBy = (string?)r[6] ?? "",
            ProbesLeft = Int32(r[7]),
            ProbeSuccesses = Int32(r[8]),
            SuccessesToClose = Int32(r[9]),
            ProbeSlots = Int32(r[10]),
            RoundLeftMs = (long)r[11],
            Code = Int32(r[12]),
            Extra = (long)r[13],
            ThrottleOthers = r.Length == ThrottledReplyLength ? ((long)r[14], (long)r[15]) : null,
            ReceivedAt = receivedAt,
            RequestedAt = requestedAt,
        };
        return ParsedReply.Checked(view, limits);
    }

    /// <summary>Parses a message published by a script; null when it is not one (another publisher on the channel),
    /// a corrupt view when it is one but out of range.</summary>
    public static (string Name, ParsedReply Reply)? ParseMessage(ReadOnlySpan<byte> json, Func<string, ViewLimits?> limitsFor, long receivedAt)
    {
        try
        {
            using var doc = JsonDocument.Parse(json.ToArray());
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("n", out var n) || n.GetString() is not { } name ||
                limitsFor(name) is not { } limits)
            {
                return null;
            }

            var view = new ClusterView
            {
                Epoch = root.GetProperty("e").GetString() ?? "",
                Generation = Int(root, "g"),
                State = (BreakerState)Int(root, "s"),
                OpenLeftMs = Int(root, "r"),
                ConsecutiveOpens = Small(root, "o"),
                Description = root.TryGetProperty("d", out var d) ? d.GetString() ?? "" : "",
                DecidedBy = root.TryGetProperty("w", out var w) ? w.GetString() ?? "" : "",
                ProbesLeft = Small(root, "pl"),
                ProbeSuccesses = Small(root, "ps"),
                SuccessesToClose = Small(root, "pk"),
                ProbeSlots = Small(root, "pn"),
                RoundLeftMs = Int(root, "h"),
                Code = 1,
                ReceivedAt = receivedAt,
                SentAtMicros = root.TryGetProperty("at", out var at) && long.TryParse(at.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long micros) ? micros : 0,
            };
            return (name, ParsedReply.Checked(view, limits));
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The range checks that do not depend on how the value was transported; null when the view is valid.</summary>
    public static string? Check(ClusterView view, ViewLimits limits)
    {
        if (!Enum.IsDefined(view.State))
        {
            return $"field s = {(int)view.State}, allowed {AllowedRange("s")}";
        }

        if (view.Generation < 0)
        {
            return $"field g = {view.Generation}, allowed {AllowedRange("g")}";
        }

        if (view.ConsecutiveOpens is < 0 or > ViewLimits.MaxConsecutiveOpens)
        {
            return $"field o = {view.ConsecutiveOpens}, allowed {AllowedRange("o")}";
        }

        if (view.State == BreakerState.Open && (view.OpenLeftMs < 0 || view.OpenLeftMs > limits.MaxOpenMs))
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"field u = {view.OpenLeftMs} ms from now, allowed [0, {limits.MaxOpenMs}] ms");
        }

        if (view.State == BreakerState.HalfOpen && (view.RoundLeftMs < 0 || view.RoundLeftMs > limits.MaxRoundMs))
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"field hd = {view.RoundLeftMs} ms from now, allowed [0, {limits.MaxRoundMs}] ms");
        }

        if (view.ThrottleOthers is { } others && (others.Requests < 0 || others.Accepts < 0))
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"field throttle = {others.Requests}:{others.Accepts} (the other replicas' sums), allowed {AllowedRange("throttle")}");
        }

        foreach (var (field, value) in new[] { ("pl", view.ProbesLeft), ("ps", view.ProbeSuccesses), ("pk", view.SuccessesToClose), ("pn", view.ProbeSlots) })
        {
            if (value is < 0 or > ViewLimits.MaxProbeField)
            {
                return $"field {field} = {value}, allowed {AllowedRange(field)}";
            }
        }

        return null;
    }

    /// <summary>The allowed range of a state-hash field, for the corruption description.</summary>
    public static string AllowedRange(string field) => field switch
    {
        "s" => "[0, 4] (0 closed, 1 open, 2 half-open, 3 isolated, 4 disabled)",
        "o" => $"[0, {ViewLimits.MaxConsecutiveOpens}]",
        "pl" or "ps" or "pk" or "pn" => $"[0, {ViewLimits.MaxProbeField}]",
        "type" => "a hash",
        "bucket" => "a hash of integer counts",
        "throttle" => "a hash of 'requests:accepts:written at' entries, counts below 10^15",
        "u" => "[now, now + the break it was given (ub) + 1 min]",
        _ => "a non-negative integer",
    };

    private static string Quote(string? raw) => raw is null ? "(missing)" : raw.Length > 40 ? $"'{raw[..40]}…'" : $"'{raw}'";

    private static int Int32(RedisResult value) => (int)Math.Clamp((long)value, int.MinValue, int.MaxValue);

    private static int Small(JsonElement root, string name) => (int)Math.Clamp(Int(root, name), int.MinValue, int.MaxValue);

    // cjson writes integral numbers either as integers or, past 14 digits, in exponent form: read both.
    private static long Int(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
            ? (v.TryGetInt64(out long l) ? l : (long)Math.Clamp(v.GetDouble(), long.MinValue, long.MaxValue))
            : 0;
}
