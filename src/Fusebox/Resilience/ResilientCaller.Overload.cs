namespace Fusebox;

// Attempts the dependency refused (ResilientCallerOptions.IsOverloadResult / IsOverloadException): the admission stage
// hears them as Overloaded, and a failing outcome the predicates match reaches the breaker as an overload, which
// adaptive throttling counts as not accepted. The predicates are user code: one that throws means "not overloaded"
// and never replaces the attempt's own outcome. A caller without them pays one null check per outcome.
public sealed partial class ResilientCaller
{
    /// <summary>A returned result: <see cref="AdmissionOutcome.Overloaded"/> when <see cref="ResilientCallerOptions.IsOverloadResult"/> matches.</summary>
    private AdmissionOutcome AdmissionOutcomeOf<TResult>(TResult result) =>
        _admission is not null && IsOverloaded(result) ? AdmissionOutcome.Overloaded : AdmissionOutcome.Succeeded;

    /// <summary>A thrown exception: <see cref="AdmissionOutcome.Overloaded"/> when <see cref="ResilientCallerOptions.IsOverloadException"/> matches.</summary>
    private AdmissionOutcome AdmissionOutcomeOf(Exception exception) =>
        _admission is not null && IsOverloaded(exception) ? AdmissionOutcome.Overloaded : AdmissionOutcome.Failed;

    private bool IsOverloaded<TResult>(TResult result)
    {
        if (_isOverloadResult is not { } overload)
        {
            return false;
        }

        try
        {
            return overload.ShouldHandle(result);
        }
#pragma warning disable CA1031 // a predicate of the overload signal must not replace the attempt's own outcome
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    private bool IsOverloaded(Exception exception)
    {
        if (_isOverloadException is not { } overload)
        {
            return false;
        }

        try
        {
            return overload(exception);
        }
#pragma warning disable CA1031 // as above
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }
}
