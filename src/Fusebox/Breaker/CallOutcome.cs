using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Fusebox;

/// <summary>
/// The result of a call made with a <c>TryExecute</c> method: a value, the operation's exception, or a rejection by
/// the breaker. A rejection carries no exception object, so rejecting costs no allocation.
/// </summary>
/// <typeparam name="T">The operation's result type.</typeparam>
public readonly struct CallOutcome<T>
{
    // Kept small (24 bytes for an int result): an outcome travels by value, inside a ValueTask, through every await.
    // One reference holds the exception or, for a rejection, the breaker's name; they never occur together.
    private readonly T? _value;
    private readonly object? _payload;
    private readonly long _retryAfterTicks;
    private readonly Kind _kind;
    private readonly byte _rejectedIn;

    private CallOutcome(Kind kind, T? value, object? payload, long retryAfterTicks, BreakerState rejectedIn)
    {
        _kind = kind;
        _value = value;
        _payload = payload;
        _retryAfterTicks = retryAfterTicks;
        _rejectedIn = (byte)rejectedIn;
    }

    private enum Kind : byte
    {
        Value,
        Exception,
        Rejected,
        RejectedWithRetryAfter,
    }

    /// <summary>The operation ran and returned a value (which the breaker may still have counted as a failure).
    /// False for both other kinds: check <see cref="IsFaulted"/> before reading <see cref="Exception"/>.</summary>
    public bool HasValue => _kind == Kind.Value;

    /// <summary>The operation ran and threw: <see cref="Exception"/> holds what it threw.</summary>
    [MemberNotNullWhen(true, nameof(Exception))]
    public bool IsFaulted => _kind == Kind.Exception;

    /// <summary>The breaker rejected the call; the operation did not run.</summary>
    [MemberNotNullWhen(true, nameof(BreakerName))]
    public bool IsRejected => _kind is Kind.Rejected or Kind.RejectedWithRetryAfter;

    /// <summary>The operation's exception, or null.</summary>
    public Exception? Exception => _kind == Kind.Exception ? Unsafe.As<Exception>(_payload) : null;

    /// <summary>The name of the breaker that rejected the call, when <see cref="IsRejected"/>.</summary>
    public string? BreakerName => IsRejected ? Unsafe.As<string>(_payload) : null;

    /// <summary>The state of the breaker that rejected the call, when <see cref="IsRejected"/>.</summary>
    public BreakerState RejectedIn => (BreakerState)_rejectedIn;

    /// <summary>When rejected: why (derived from <see cref="RejectedIn"/>: closed means throttled).</summary>
    public RejectionReason RejectionReason => RejectionReasons.Of(RejectedIn);

    /// <summary>When rejected: how long until a probe may be admitted, if known.</summary>
    public TimeSpan? RetryAfter => _kind == Kind.RejectedWithRetryAfter ? TimeSpan.FromTicks(_retryAfterTicks) : null;

    /// <summary>The value.</summary>
    /// <exception cref="InvalidOperationException">There is no value: use <see cref="GetValueOrThrow"/> to rethrow the cause.</exception>
    public T Value => HasValue ? _value! : throw new InvalidOperationException(
        IsRejected ? "The call was rejected by the circuit breaker; there is no value." : "The operation threw; there is no value.");

    /// <summary>Gets the value when there is one.</summary>
    public bool TryGetValue([MaybeNullWhen(false)] out T value)
    {
        value = _value!;
        return HasValue;
    }

    /// <summary>Returns the value, rethrows the operation's exception with its original stack trace, or throws
    /// <see cref="CircuitOpenException"/> when the call was rejected.</summary>
    public T GetValueOrThrow()
    {
        if (HasValue)
        {
            return _value!;
        }

        if (Exception is not null)
        {
            ExceptionDispatchInfo.Throw(Exception);
        }

        throw new CircuitOpenException(BreakerName ?? string.Empty, RejectedIn, RetryAfter);
    }

    /// <summary>An outcome holding a value.</summary>
    public static CallOutcome<T> FromValue(T value) => new(Kind.Value, value, null, 0, default);

    /// <summary>An outcome holding the operation's exception.</summary>
    public static CallOutcome<T> FromException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new(Kind.Exception, default, exception, 0, default);
    }

    /// <summary>An outcome for a call rejected by the named breaker.</summary>
    public static CallOutcome<T> Rejected(string breakerName, BreakerState state, TimeSpan? retryAfter) =>
        new(retryAfter is null ? Kind.Rejected : Kind.RejectedWithRetryAfter, default, breakerName, retryAfter?.Ticks ?? 0, state);

    /// <inheritdoc/>
    public override string ToString() => _kind switch
    {
        Kind.Value => $"Value: {_value}",
        Kind.Exception => $"Exception: {Exception!.GetType().Name}: {Exception.Message}",
        _ => $"Rejected by '{BreakerName}' ({RejectedIn}{(RejectedIn == BreakerState.Closed ? ", throttled" : "")})",
    };
}
