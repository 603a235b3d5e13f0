using System.Globalization;
using System.Net.Http;

namespace Fusebox.Internal;

/// <summary>
/// The most recent failure, kept without allocating: what is stored is only what the failure already has (the
/// exception, or the failing result's type or HTTP status and reason phrase) and the breaker clock's time; the
/// <see cref="FailureRecord"/>, with its trimmed message, is built only when a snapshot reads it.
/// </summary>
/// <remarks>
/// The fields are written under a sequence number that doubles as a try-lock: a writer claims it with one
/// compare-and-swap from even to odd and releases it at the next even value. A failure recorded while another is
/// being written is not kept (both happened in the same instant; the one being written is as recent), so no writer
/// ever waits. A reader retries while the number is odd or changed under it, so it never pairs one failure's time
/// with another's exception. Failures are rare next to calls; none of this is on the success path.
/// </remarks>
internal sealed class LastFailure
{
    private const int ReadAttempts = 16;

    private int _sequence; // odd while a writer fills the fields
    private long _at; // breaker clock (Now) ticks
    private FailureKind _kind;
    private object? _source; // Exception | Type (a result's type) | string (an HTTP reason phrase) | null (no detail)
    private int _status; // HTTP status for an HttpResponseMessage result, else 0

    public void Exception(Exception? exception, long now) =>
        Write(now, exception is not null && IsTimeout(exception) ? FailureKind.Timeout : FailureKind.Exception, exception, 0);

    public void Result<TResult>(TResult result, long now)
    {
        // A value-type result is neither inspected nor asked its type: either would box it (an allocation per failure).
        if (typeof(TResult).IsValueType)
        {
            Write(now, FailureKind.Result, typeof(TResult), 0);
        }
        else if (result is HttpResponseMessage response)
        {
            Write(now, FailureKind.Result, response.ReasonPhrase, (int)response.StatusCode);
        }
        else
        {
            Write(now, FailureKind.Result, result?.GetType() ?? typeof(TResult), 0);
        }
    }

    /// <summary>A timeout, however it is spelt: <see cref="TimeoutException"/> (the resilient caller's
    /// <see cref="CallTimeoutException"/> among them) or Polly's <c>TimeoutRejectedException</c> (matched by name:
    /// the core does not reference Polly).</summary>
    public static bool IsTimeout(Exception exception) =>
        exception is TimeoutException || exception.GetType().Name == "TimeoutRejectedException";

    /// <summary>The failure as a record, its time converted to wall-clock time; null before the first.</summary>
    public FailureRecord? Read(long now, DateTimeOffset utcNow)
    {
        for (int attempt = 0; attempt < ReadAttempts; attempt++)
        {
            int before = Volatile.Read(ref _sequence);
            if (before == 0)
            {
                return null;
            }

            if ((before & 1) != 0)
            {
                Thread.SpinWait(1 << attempt); // a writer is a few stores from done; only snapshots wait, never calls
                continue;
            }

            long at = _at;
            var kind = _kind;
            object? source = _source;
            int status = _status;
            Interlocked.MemoryBarrier(); // the field reads happen before the second read of the sequence
            if (Volatile.Read(ref _sequence) == before)
            {
                return Describe(utcNow - TimeSpan.FromTicks(now - at), kind, source, status);
            }
        }

        return null; // failures recorded faster than a snapshot can read one: the next snapshot shows one
    }

    private void Write(long now, FailureKind kind, object? source, int status)
    {
        int seen = Volatile.Read(ref _sequence);
        if ((seen & 1) != 0 || Interlocked.CompareExchange(ref _sequence, seen + 1, seen) != seen)
        {
            return; // another failure of this very instant is being written: it is the last one
        }

        _at = now;
        _kind = kind;
        _source = source;
        _status = status;
        Volatile.Write(ref _sequence, seen + 2);
    }

    private static FailureRecord Describe(DateTimeOffset at, FailureKind kind, object? source, int status) => source switch
    {
        Exception exception => new FailureRecord(at, kind, exception.GetType().Name, Trim(exception.Message)),
        Type type => new FailureRecord(at, kind, type.Name, null),
        _ when status != 0 => new FailureRecord(at, kind, string.Create(CultureInfo.InvariantCulture, $"HTTP {status}"), Trim(source as string)),
        _ => new FailureRecord(at, kind, kind == FailureKind.Result ? "result" : "failure", null),
    };

    /// <summary>One line of at most <see cref="FailureRecord.MaxDetailLength"/> characters (an ellipsis marks a cut).</summary>
    internal static string? Trim(string? message)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return null;
        }

        var line = string.Join(' ', message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return line.Length <= FailureRecord.MaxDetailLength ? line : string.Concat(line.AsSpan(0, FailureRecord.MaxDetailLength - 1), "…");
    }
}
