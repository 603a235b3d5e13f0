namespace Fusebox;

// How the admission stage hears an attempt that ended with a result or an exception: overloaded when the caller's
// overload predicates say so (ResilientCallerOptions.IsOverloadResult / IsOverloadException), else succeeded or
// failed. Nothing here runs without an admission stage, so a caller without one pays nothing.
public sealed partial class ResilientCaller
{
    /// <summary>A returned result: <see cref="AdmissionOutcome.Overloaded"/> when <see cref="ResilientCallerOptions.IsOverloadResult"/> matches.</summary>
    private AdmissionOutcome AdmissionOutcomeOf<TResult>(TResult result)
    {
        if (_admission is null || _isOverloadResult is not { } overload)
        {
            return AdmissionOutcome.Succeeded;
        }

        try
        {
            return overload.ShouldHandle(result) ? AdmissionOutcome.Overloaded : AdmissionOutcome.Succeeded;
        }
#pragma warning disable CA1031 // a predicate of the admission signal must not replace the attempt's own outcome
        catch (Exception)
#pragma warning restore CA1031
        {
            return AdmissionOutcome.Succeeded;
        }
    }

    /// <summary>A thrown exception: <see cref="AdmissionOutcome.Overloaded"/> when <see cref="ResilientCallerOptions.IsOverloadException"/> matches.</summary>
    private AdmissionOutcome AdmissionOutcomeOf(Exception exception)
    {
        if (_admission is null || _isOverloadException is not { } overload)
        {
            return AdmissionOutcome.Failed;
        }

        try
        {
            return overload(exception) ? AdmissionOutcome.Overloaded : AdmissionOutcome.Failed;
        }
#pragma warning disable CA1031 // as above
        catch (Exception)
#pragma warning restore CA1031
        {
            return AdmissionOutcome.Failed;
        }
    }
}
