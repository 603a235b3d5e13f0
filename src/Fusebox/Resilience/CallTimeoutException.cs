using System.Globalization;

namespace Fusebox;

/// <summary>
/// An operation did not finish within a Fusebox timeout and was cancelled. It derives from
/// <see cref="TimeoutException"/>, so code that already handles timeouts handles it, and breakers count it as a failure.
/// </summary>
public class CallTimeoutException : TimeoutException
{
    /// <summary>Creates the exception for a timeout of the given length.</summary>
    /// <param name="timeout">The timeout that elapsed.</param>
    /// <param name="innerException">The cancellation the timeout caused, if any.</param>
    public CallTimeoutException(TimeSpan timeout, Exception? innerException = null)
        : base(string.Create(CultureInfo.InvariantCulture, $"The operation did not complete within the timeout of {timeout.TotalMilliseconds:0.###} ms ({timeout})."), innerException)
    {
        Timeout = timeout;
    }

    /// <summary>Creates the exception with a default message.</summary>
    public CallTimeoutException() : base("The operation did not complete within its timeout.")
    {
    }

    /// <summary>Creates the exception with a custom message.</summary>
    public CallTimeoutException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a custom message and inner exception.</summary>
    public CallTimeoutException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>The timeout that elapsed.</summary>
    public TimeSpan Timeout { get; }
}
