namespace Fusebox;

/// <summary>A failure a breaker recorded, for operators: when, what kind, and a short description.</summary>
/// <param name="At">When the failure was recorded (the breaker's clock).</param>
/// <param name="Kind">Exception, failing result, or timeout.</param>
/// <param name="Type">The exception's type name (e.g. <c>HttpRequestException</c>), or for a failing result a short
/// description such as <c>HTTP 503</c> (an <see cref="System.Net.Http.HttpResponseMessage"/>) or the result's type name.</param>
/// <param name="Detail">The exception's message (or the response's reason phrase) on one line, at most
/// <see cref="MaxDetailLength"/> characters; null when there is none.</param>
public sealed record FailureRecord(DateTimeOffset At, FailureKind Kind, string Type, string? Detail)
{
    /// <summary>The longest <see cref="Detail"/> kept; a longer message is cut and ends with an ellipsis.</summary>
    public const int MaxDetailLength = 200;
}
