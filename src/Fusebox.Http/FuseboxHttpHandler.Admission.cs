using System.Net;

namespace Fusebox.Http;

// The admission stage (FuseboxHttpHandlerOptions.Admission) on the send-once path; the retry path hands the stage to
// its ResilientCaller, which asks it before every attempt.
public sealed partial class FuseboxHttpHandler
{
    /// <summary>The breaker's permit, then the admission stage's ticket (so an open breaker rejects without asking the
    /// stage); a stage's refusal releases the permit unreported: load shedding is never a breaker failure.</summary>
    private bool TryAdmit(CircuitBreaker breaker, HttpRequestMessage request, out CircuitPermit permit, out object? ticket, out HttpResponseMessage rejection)
    {
        ticket = null;
        if (!breaker.TryAcquire(out permit, out var retryAfter))
        {
            rejection = Reject(breaker, request, retryAfter);
            return false;
        }

        if (_options.Admission is { } stage && !stage.TryEnter(out ticket, out var shedFor))
        {
            permit.Release();
            rejection = Shed(breaker, request, stage.Name, shedFor);
            return false;
        }

        rejection = null!;
        return true;
    }

    private void Exit(object? ticket, AdmissionOutcome outcome)
    {
        if (ticket is not null)
        {
            _options.Admission!.Exit(ticket, outcome);
        }
    }

    /// <summary>A 429 or 503 is the dependency shedding load: the stage hears it as overload (AIMD backs off).</summary>
    private static AdmissionOutcome OverloadOf(HttpResponseMessage response) =>
        IsOverloaded(response) ? AdmissionOutcome.Overloaded : AdmissionOutcome.Succeeded;

    /// <summary>A 429 or 503: the dependency shedding load, on the send-once path and the retry path alike.</summary>
    internal static bool IsOverloaded(HttpResponseMessage response) =>
        response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable;

    private HttpResponseMessage Shed(CircuitBreaker breaker, HttpRequestMessage request, string stageName, TimeSpan? retryAfter)
    {
        if (_options.WhenOpen == RejectionBehavior.Throw)
        {
            throw new AdmissionRejectedException(breaker.Name, stageName, retryAfter);
        }

        return Synthesized503(request, breaker.Name, "Load Shed", $"The admission stage '{stageName}' of '{breaker.Name}' is at its limit; the request was not sent.", retryAfter);
    }
}
