using Microsoft.Extensions.Options;

namespace Fusebox.Extensions;

/// <summary>
/// Validates the whole <c>Fusebox</c> section. Before the first valid options it fails, so <c>ValidateOnStart</c>
/// stops a host with a bad value. After that an invalid reload is not failed here — a failure would be thrown out of
/// the configuration system's change callback, on a file-watcher thread — but it is not accepted either:
/// <see cref="FuseboxConfiguration"/> logs it and keeps the last good options.
/// </summary>
internal sealed class FuseboxOptionsValidator(FuseboxOptionsState state) : IValidateOptions<FuseboxOptions>
{
    public ValidateOptionsResult Validate(string? name, FuseboxOptions options)
    {
        if (name is not null && name != Options.DefaultName)
        {
            return ValidateOptionsResult.Skip;
        }

        var errors = BreakerOptionsFactory.Validate(options);
        if (errors.Count == 0)
        {
            state.Accept(options);
            return ValidateOptionsResult.Success;
        }

        return state.Started ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
