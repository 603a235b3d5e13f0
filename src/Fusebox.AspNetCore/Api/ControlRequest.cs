using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Fusebox.AspNetCore;

/// <summary>
/// The optional JSON body of isolate, disable and reset: <c>{"reason": "INC-1234"}</c>, the operator's reason or
/// ticket, carried into the breaker's transition (its event and snapshot) and the audit log line.
/// </summary>
internal sealed record ControlRequest(string? Reason)
{
    /// <summary>The longest reason accepted, in UTF-16 code units.</summary>
    public const int MaxReasonLength = 200;

    /// <summary>The largest body read; a reason of <see cref="MaxReasonLength"/> characters fits with room to spare.</summary>
    public const int MaxBodyBytes = 4096;

    /// <summary>Reads the body: no body is no reason; anything that is not a valid request is a problem result.</summary>
    public static async Task<(string? Reason, IResult? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength == 0 || (request.ContentLength is null && !request.Headers.TransferEncoding.Any()))
        {
            return (null, null);
        }

        if (!request.HasJsonContentType())
        {
            return (null, Problems.UnsupportedMediaType());
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, Problems.TooLarge(MaxBodyBytes));
        }

        byte[] body = new byte[MaxBodyBytes + 1];
        int length = 0;
        int read;
        while (length < body.Length && (read = await request.Body.ReadAsync(body.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
        {
            length += read;
        }

        if (length > MaxBodyBytes)
        {
            return (null, Problems.TooLarge(MaxBodyBytes));
        }

        ControlRequest? parsed;
        try
        {
            parsed = length == 0 ? null : JsonSerializer.Deserialize(body.AsSpan(0, length), FuseboxJsonContext.Default.ControlRequest);
        }
        catch (JsonException)
        {
            return (null, Problems.BadRequest("The body must be a JSON object like {\"reason\": \"INC-1234\"}."));
        }

        string? reason = parsed?.Reason?.Trim();
        if (string.IsNullOrEmpty(reason))
        {
            return (null, null);
        }

        return Explain(reason) is { } invalid ? (null, Problems.BadRequest(invalid)) : (reason, null);
    }

    /// <summary>Why a reason is refused, or null: at most 200 characters, printable (no control, formatting or line
    /// separator characters, which could forge or hide lines in the audit log).</summary>
    private static string? Explain(string reason)
    {
        if (reason.Length > MaxReasonLength)
        {
            return $"The reason must be at most {MaxReasonLength} characters (was {reason.Length}).";
        }

        foreach (var rune in reason.EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned
                || rune == Rune.ReplacementChar)
            {
                return $"The reason must be printable text; it contains U+{rune.Value:X4}.";
            }
        }

        return null;
    }
}
