namespace Fusebox.Testing;

/// <summary>
/// Thrown by the assertions of Fusebox.Testing (<see cref="TransitionRecorder.AssertTransitions"/>,
/// <see cref="CallResultAssertions"/>) when the breaker or the call did not do what the test expected. Any test
/// framework reports an unexpected exception as a failure, so the kit needs none of them.
/// </summary>
public sealed class BreakerAssertionException : Exception
{
    /// <summary>Creates the exception with a message that says what was expected and what happened.</summary>
    public BreakerAssertionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public BreakerAssertionException()
        : this("A Fusebox assertion failed.")
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public BreakerAssertionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
