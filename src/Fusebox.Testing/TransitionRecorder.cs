using System.Text;

namespace Fusebox.Testing;

/// <summary>
/// Records the state changes of one breaker, or of every breaker in a registry, from the moment it is created until
/// it is disposed, so that a test can assert the path a breaker took (<c>Closed → Open → HalfOpen → Closed</c>) and
/// why (<see cref="BreakerStateChangedEventArgs.Reason"/>). Dispose it to unsubscribe.
/// </summary>
/// <remarks>
/// Events are recorded as they are raised, synchronously on the thread that made the change, so in a test that drives
/// the breaker from one thread the list is complete the moment the call returns. Changes made concurrently on several
/// threads may be recorded out of order; <see cref="BreakerStateChangedEventArgs.Generation"/> orders them.
/// </remarks>
public sealed class TransitionRecorder : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<BreakerStateChangedEventArgs> _transitions = [];
    private readonly Action _unsubscribe;
    private bool _disposed;

    /// <summary>Starts recording the changes of <paramref name="breaker"/>.</summary>
    /// <param name="breaker">The breaker.</param>
    public TransitionRecorder(CircuitBreaker breaker)
    {
        ArgumentNullException.ThrowIfNull(breaker);
        breaker.StateChanged += OnStateChanged;
        _unsubscribe = () => breaker.StateChanged -= OnStateChanged;
    }

    /// <summary>Starts recording the changes of every breaker in <paramref name="registry"/>, including breakers it
    /// creates later (the HTTP handler's per-host breakers, say); <see cref="BreakerStateChangedEventArgs.BreakerName"/>
    /// tells them apart.</summary>
    /// <param name="registry">The registry.</param>
    public TransitionRecorder(CircuitBreakerRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.StateChanged += OnStateChanged;
        _unsubscribe = () => registry.StateChanged -= OnStateChanged;
    }

    /// <summary>The changes recorded so far, oldest first (a copy).</summary>
    public IReadOnlyList<BreakerStateChangedEventArgs> Transitions
    {
        get
        {
            lock (_gate)
            {
                return [.. _transitions];
            }
        }
    }

    /// <summary>The states entered so far, one per change, oldest first.</summary>
    public IReadOnlyList<BreakerState> States => [.. Transitions.Select(t => t.NewState)];

    /// <summary>Forgets what was recorded so far, e.g. after a test's arrange step forced the breaker into place.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _transitions.Clear();
        }
    }

    /// <summary>
    /// Asserts that the breaker entered exactly these states, in this order, one per change since the recorder was
    /// created (or <see cref="Clear"/>ed); no states at all asserts that nothing changed.
    /// </summary>
    /// <param name="entered">The states entered, e.g. <c>Open, HalfOpen, Closed</c> (not the state it started in).</param>
    /// <exception cref="BreakerAssertionException">The recorded changes differ; the message lists every change recorded.</exception>
    public void AssertTransitions(params BreakerState[] entered)
    {
        ArgumentNullException.ThrowIfNull(entered);
        var recorded = Transitions;
        if (recorded.Select(t => t.NewState).SequenceEqual(entered))
        {
            return;
        }

        var message = new StringBuilder()
            .Append("Expected the breaker to enter ").Append(entered.Length == 0 ? "no state" : string.Join(" → ", entered))
            .Append(", but ").Append(recorded.Count == 0 ? "it did not change state." : $"it changed {recorded.Count} time(s):");
        for (int i = 0; i < recorded.Count; i++)
        {
            message.AppendLine().Append("  ").Append(i + 1).Append(". ").Append(recorded[i]);
        }

        throw new BreakerAssertionException(message.ToString());
    }

    /// <summary>Stops recording; what was recorded stays readable.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _unsubscribe();
    }

    private void OnStateChanged(object? sender, BreakerStateChangedEventArgs e)
    {
        lock (_gate)
        {
            _transitions.Add(e);
        }
    }
}
