using Microsoft.AspNetCore.Http;

namespace Fusebox.AspNetCore;

/// <summary>The admin API's problem+json (RFC 9457) answers. Their texts name what the caller sent or must change,
/// never an exception message or anything else internal.</summary>
internal static class Problems
{
    public static IResult BadRequest(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid request", detail: detail);

    public static IResult Unauthorized() =>
        Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Authentication required", detail: "Sign in to use this endpoint.");

    public static IResult Forbidden(string title, string detail) =>
        Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: title, detail: detail);

    public static IResult NotFound(string name) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown circuit breaker", detail: $"No circuit breaker is named '{name}'.");

    public static IResult TooLarge(int maxBytes) =>
        Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large", detail: $"The request body must be at most {maxBytes} bytes.");

    public static IResult UnsupportedMediaType() =>
        Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
            detail: "Send no body, or a JSON body (Content-Type: application/json) like {\"reason\": \"INC-1234\"}.");

    public static IResult TooManyStreams(int max) =>
        Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many event-stream connections",
            detail: $"The event stream already has its maximum of {max} connections (FuseboxEndpointOptions.MaxEventStreamConnections). Try again later.");
}
