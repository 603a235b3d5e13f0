namespace Fusebox;

/// <summary>
/// Thrown by <see cref="ResilientCaller"/> when its admission stage (<see cref="ResilientCallerOptions.Admission"/>,
/// e.g. a concurrency limiter) refused the call's first attempt: the call was not sent. Load shedding, not a failure of
/// the dependency: the breaker did not count it, and no retry follows. Distinct from <see cref="CircuitOpenException"/>,
/// so a caller can tell "the dependency is broken" from "we are at our concurrency limit".
/// </summary>
public class AdmissionRejectedException : Exception
{
    /// <summary>Creates an exception for a call the named stage refused.</summary>
    /// <param name="callerName">The caller's (breaker's) name.</param>
    /// <param name="stageName">The admission stage that refused the call.</param>
    /// <param name="retryAfter">How long until a slot is likely, when the stage knows.</param>
    public AdmissionRejectedException(string callerName, string stageName, TimeSpan? retryAfter)
        : base($"The call through '{callerName}' was rejected by its admission stage '{stageName}' (load shed); it was not sent.")
    {
        CallerName = callerName;
        StageName = stageName;
        RetryAfter = retryAfter;
    }

    /// <summary>Creates an exception with a default message.</summary>
    public AdmissionRejectedException() : this("The call was rejected by an admission stage (load shed); it was not sent.")
    {
    }

    /// <summary>Creates an exception with a custom message.</summary>
    public AdmissionRejectedException(string message) : base(message)
    {
        CallerName = string.Empty;
        StageName = string.Empty;
    }

    /// <summary>Creates an exception with a custom message and inner exception.</summary>
    public AdmissionRejectedException(string message, Exception innerException) : base(message, innerException)
    {
        CallerName = string.Empty;
        StageName = string.Empty;
    }

    /// <summary>The caller's (breaker's) name.</summary>
    public string CallerName { get; }

    /// <summary>The admission stage that refused the call.</summary>
    public string StageName { get; }

    /// <summary>How long until a slot is likely, or null when unknown.</summary>
    public TimeSpan? RetryAfter { get; }
}
