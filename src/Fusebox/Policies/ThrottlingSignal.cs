namespace Fusebox;

/// <summary>Which call outcomes adaptive throttling counts as "not accepted" by the dependency.</summary>
public enum ThrottlingSignal
{
    /// <summary>Every failure (as the breaker classifies it), overloads included: a dependency that fails half its
    /// calls is throttled whatever the cause.</summary>
    Failures = 0,

    /// <summary>Only overloads (<see cref="AdaptiveThrottlingOptions.IsOverloadException"/>,
    /// <see cref="AdaptiveThrottlingOptions.IsOverloadResult"/>, <see cref="CircuitPermit.RecordOverload"/>): a call
    /// that failed for another reason was still accepted, as in the SRE book.</summary>
    Overload = 1,
}
