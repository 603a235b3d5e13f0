namespace Fusebox.Extensions;

/// <summary>A Fusebox configuration value is invalid; the message names its configuration path and the allowed range.</summary>
public sealed class FuseboxConfigurationException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public FuseboxConfigurationException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with the validation error that caused it.</summary>
    public FuseboxConfigurationException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public FuseboxConfigurationException() : base("The Fusebox configuration is invalid.")
    {
    }
}
