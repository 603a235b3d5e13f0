using Fusebox.Extensions;
using Microsoft.Extensions.Options;

namespace Fusebox.Http;

/// <summary>
/// Validates <see cref="FuseboxStandardHandlerOptions"/> on start, with the standard handler's cross-checks: the total
/// timeout allows at least one attempt, and the breaker's time window is at least twice the attempt timeout, or the
/// window forgets a timed-out attempt's neighbours before it could add them up (the standard handler's own rule).
/// </summary>
internal sealed class StandardHandlerOptionsValidator(FuseboxConfiguration configuration) : IValidateOptions<FuseboxStandardHandlerOptions>
{
    public ValidateOptionsResult Validate(string? name, FuseboxStandardHandlerOptions options)
    {
        try
        {
            options.Validate();
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message.Split(" (Parameter")[0]);
        }

        string breakerName = FuseboxStandardHandlerExtensions.NameOf(name);
        if (configuration.OptionsFor(breakerName).TripPolicy is TimeWindowPolicy window && window.Window < 2 * options.AttemptTimeout)
        {
            return ValidateOptionsResult.Fail(
                $"The breaker window of '{breakerName}' (Fusebox:Breakers:{breakerName}:WindowDuration, {window.Window}) must be at least twice " +
                $"FuseboxStandardHandlerOptions.AttemptTimeout ({options.AttemptTimeout}) of the client '{breakerName}'.");
        }

        return ValidateOptionsResult.Success;
    }
}
