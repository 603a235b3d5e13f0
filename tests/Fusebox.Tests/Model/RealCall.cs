using Fusebox.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Tests.Model;

/// <summary>The call styles a program mixes: each admits, runs and reports through a different code path.</summary>
internal enum CallStyle { Execute, TryExecute, ExecuteAsync, TryExecuteAsync, Permit }

/// <summary>How the operation ends. The breaker classifies the first six; the permit-only ones are reported as such.</summary>
internal enum CallOutcome
{
    Value,          // returns 7: a success
    BadResult,      // returns -1: ShouldHandleResult says failure
    Fault,          // throws DependencyDownException: a failure
    Filtered,       // throws FilteredException: ShouldHandleException says the dependency answered, a success
    CallerCancel,   // the caller's token is cancelled and the operation throws OperationCanceledException: ignored
    ForeignCancel,  // OperationCanceledException while the caller's token is not cancelled: a failure
    Release,        // permit only: Release()
    RecordFailure,  // permit only: RecordFailure()
    RecordSuccess,  // permit only: RecordSuccess()
}

/// <summary>What the caller saw at admission: the operation ran, or a rejection with the state and retry-after it reported.</summary>
internal readonly record struct Admission(bool Admitted, BreakerState? RejectedIn, TimeSpan? RetryAfter);

/// <summary>
/// One call through the real breaker in one style. An immediate call runs to the end inside <see cref="Run"/>
/// (optionally taking fake time: the operation advances the clock before it ends). An in-flight call
/// (<see cref="Start"/>) is admitted now and ends in <see cref="Finish"/>: an async style awaits a
/// <see cref="TaskCompletionSource{TResult}"/> completed there, the permit style holds its permit until then. Either
/// way the caller's view is checked: the value, or the very exception object the operation threw.
/// </summary>
internal sealed class RealCall
{
    private readonly CircuitBreaker _breaker;
    private readonly CallStyle _style;
    private readonly CancellationTokenSource _cts = new();
    private TaskCompletionSource<int>? _pending;
    private Task? _running;
    private CircuitPermit _permit;
    private Exception? _thrown;

    private RealCall(CircuitBreaker breaker, CallStyle style)
    {
        _breaker = breaker;
        _style = style;
    }

    public Admission Admission { get; private set; }

    public CallStyle Style => _style;

    /// <summary>How the breaker should judge the call's end, once it ended.</summary>
    public Verdict LastVerdict { get; private set; }

    /// <summary>The permit's generation and probe flag (permit style only).</summary>
    public CircuitPermit Permit => _permit;

    public static Verdict VerdictOf(CallOutcome outcome) => outcome switch
    {
        CallOutcome.Value or CallOutcome.Filtered or CallOutcome.RecordSuccess => Verdict.Success,
        CallOutcome.CallerCancel or CallOutcome.Release => Verdict.Ignored,
        _ => Verdict.Failure,
    };

    /// <summary>An outcome for <paramref name="style"/> from a random number: mostly values and faults, every kind now and then.</summary>
    public static CallOutcome PickOutcome(CallStyle style, int r)
    {
        if (style == CallStyle.Permit && r % 4 == 0)
        {
            return ((r / 4) % 3) switch { 0 => CallOutcome.Release, 1 => CallOutcome.RecordFailure, _ => CallOutcome.RecordSuccess };
        }

        return ((r / 4) % 10) switch
        {
            < 4 => CallOutcome.Value,
            < 6 => CallOutcome.Fault,
            6 => CallOutcome.BadResult,
            7 => CallOutcome.Filtered,
            8 => CallOutcome.CallerCancel,
            _ => CallOutcome.ForeignCancel,
        };
    }

    /// <summary>Runs a call to its end. <paramref name="inside"/> runs first thing in the operation (it never runs for a rejection).</summary>
    public static RealCall Run(CircuitBreaker breaker, FakeTimeProvider time, CallStyle style, CallOutcome outcome, TimeSpan duration,
        bool throwInline, Action? inside = null)
    {
        var call = new RealCall(breaker, style) { LastVerdict = VerdictOf(outcome) };
        int Body(CancellationToken ct)
        {
            inside?.Invoke();
            if (duration > TimeSpan.Zero)
            {
                time.Advance(duration);
            }

            return call.Produce(outcome, ct);
        }

        ValueTask<int> BodyAsync(CancellationToken ct)
        {
            if (throwInline)
            {
                return new ValueTask<int>(Body(ct));
            }

            try
            {
                return new ValueTask<int>(Body(ct));
            }
            catch (Exception ex)
            {
                return ValueTask.FromException<int>(ex); // faulted, but completed before the breaker looks at it
            }
        }

        var token = call._cts.Token;
        switch (style)
        {
            case CallStyle.Execute:
                call.Observe(() => breaker.Execute(Body, token), outcome);
                break;
            case CallStyle.TryExecute:
                call.ObserveOutcome(breaker.TryExecute(Body, token), outcome);
                break;
            case CallStyle.ExecuteAsync:
                var task = breaker.ExecuteAsync(BodyAsync, token);
                Assert.True(task.IsCompleted, "an operation that completed synchronously leaves nothing pending");
                call.Observe(() => task.GetAwaiter().GetResult(), outcome);
                break;
            case CallStyle.TryExecuteAsync:
                var outcomeTask = breaker.TryExecuteAsync(BodyAsync, token);
                Assert.True(outcomeTask.IsCompleted, "an operation that completed synchronously leaves nothing pending");
                call.ObserveOutcome(outcomeTask.Result, outcome);
                break;
            default:
                call.AcquirePermit();
                if (call.Admission.Admitted)
                {
                    inside?.Invoke();
                    if (duration > TimeSpan.Zero)
                    {
                        time.Advance(duration);
                    }

                    call.Report(outcome);
                }

                break;
        }

        return call;
    }

    /// <summary>A call whose token is cancelled before it starts: not run, not counted, whatever the state.</summary>
    public static void RunPreCancelled(CircuitBreaker breaker, CallStyle style)
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        bool ran = false;
        int Body(CancellationToken ct)
        {
            ran = true;
            return 7;
        }

        switch (style)
        {
            case CallStyle.Execute:
                Assert.ThrowsAny<OperationCanceledException>(() => breaker.Execute(Body, cts.Token));
                break;
            case CallStyle.TryExecute:
                Assert.IsAssignableFrom<OperationCanceledException>(breaker.TryExecute(Body, cts.Token).Exception);
                break;
            case CallStyle.ExecuteAsync:
                Assert.True(breaker.ExecuteAsync(ct => new ValueTask<int>(Body(ct)), cts.Token).IsCanceled);
                break;
            default:
                Assert.IsAssignableFrom<OperationCanceledException>(breaker.TryExecuteAsync(ct => new ValueTask<int>(Body(ct)), cts.Token).Result.Exception);
                break;
        }

        Assert.False(ran, "a pre-cancelled call must not run");
    }

    /// <summary>Admits a call that stays in flight until <see cref="Finish"/>. <paramref name="inside"/> runs when the operation starts.</summary>
    public static RealCall Start(CircuitBreaker breaker, CallStyle style, Action? inside = null)
    {
        var call = new RealCall(breaker, style);
        if (style == CallStyle.Permit)
        {
            call.AcquirePermit();
            if (call.Admission.Admitted)
            {
                inside?.Invoke();
            }

            return call;
        }

        var pending = new TaskCompletionSource<int>(); // continuations run inline: Finish returns after the report
        ValueTask<int> Body(CancellationToken ct)
        {
            inside?.Invoke();
            call._pending = pending;
            return new ValueTask<int>(pending.Task);
        }

        var token = call._cts.Token;
        if (style == CallStyle.TryExecuteAsync)
        {
            var outcome = breaker.TryExecuteAsync(Body, token);
            if (outcome.IsCompleted)
            {
                call.ObserveOutcome(outcome.Result); // rejected
                return call;
            }

            call._running = outcome.AsTask();
        }
        else
        {
            var task = breaker.ExecuteAsync(Body, token);
            if (task.IsCompleted)
            {
                call.Observe(() => task.GetAwaiter().GetResult()); // rejected
                return call;
            }

            call._running = task.AsTask();
        }

        call.Admission = new Admission(true, null, null);
        return call;
    }

    /// <summary>Ends an in-flight call with <paramref name="outcome"/>; returns once the breaker has its report.</summary>
    public void Finish(CallOutcome outcome)
    {
        LastVerdict = VerdictOf(outcome);
        if (_style == CallStyle.Permit)
        {
            Report(outcome);
            return;
        }

        var pending = _pending!;
        int result = outcome == CallOutcome.BadResult ? -1 : 7;
        if (outcome is CallOutcome.Value or CallOutcome.BadResult)
        {
            pending.SetResult(result);
        }
        else
        {
            pending.SetException(Make(outcome));
        }

        if (_running is Task<CallOutcome<int>> outcomeTask)
        {
            Check(outcomeTask.GetAwaiter().GetResult(), outcome);
        }
        else
        {
            Observe(() => ((Task<int>)_running!).GetAwaiter().GetResult(), outcome);
        }
    }

    private void AcquirePermit()
    {
        bool admitted = _breaker.TryAcquire(out _permit, out var retryAfter);
        Admission = new Admission(admitted, null, retryAfter);
    }

    private void Report(CallOutcome outcome)
    {
        var permit = _permit;
        switch (outcome)
        {
            case CallOutcome.Value: permit.RecordResult(7); break;
            case CallOutcome.BadResult: permit.RecordResult(-1); break;
            case CallOutcome.Release: permit.Release(); break;
            case CallOutcome.RecordFailure: permit.RecordFailure(new DependencyDownException()); break;
            case CallOutcome.RecordSuccess: permit.RecordSuccess(); break;
            default: permit.RecordException(Make(outcome), _cts.Token); break;
        }
    }

    private int Produce(CallOutcome outcome, CancellationToken token) => outcome switch
    {
        CallOutcome.Value => 7,
        CallOutcome.BadResult => -1,
        _ => throw Make(outcome),
    };

    private Exception Make(CallOutcome outcome)
    {
        if (outcome == CallOutcome.CallerCancel)
        {
            _cts.Cancel();
        }

        _thrown = outcome switch
        {
            CallOutcome.Filtered => new FilteredException(),
            CallOutcome.CallerCancel => new OperationCanceledException(_cts.Token),
            CallOutcome.ForeignCancel => new OperationCanceledException("a timeout of the dependency's own"),
            _ => new DependencyDownException(),
        };
        return _thrown;
    }

    /// <summary>A throwing style: a value, the operation's own exception, or a rejection.</summary>
    private void Observe(Func<int> call, CallOutcome? expected = null)
    {
        try
        {
            int value = call();
            Admission = new Admission(true, null, null);
            if (expected is { } e)
            {
                Assert.Equal(e == CallOutcome.BadResult ? -1 : 7, value);
            }
        }
        catch (CircuitOpenException rejected) when (_thrown is null)
        {
            Admission = new Admission(false, rejected.State, rejected.RetryAfter);
        }
        catch (Exception ex)
        {
            Assert.Same(_thrown, ex); // the breaker rethrows the operation's own exception object
            Admission = new Admission(true, null, null);
        }
    }

    private void ObserveOutcome(CallOutcome<int> outcome, CallOutcome? expected = null)
    {
        Admission = outcome.IsRejected ? new Admission(false, outcome.RejectedIn, outcome.RetryAfter) : new Admission(true, null, null);
        if (!outcome.IsRejected)
        {
            Check(outcome, expected);
        }
    }

    private void Check(CallOutcome<int> outcome, CallOutcome? expected)
    {
        Assert.False(outcome.IsRejected);
        if (outcome.IsFaulted)
        {
            Assert.Same(_thrown, outcome.Exception);
        }
        else if (expected is { } e)
        {
            Assert.Equal(e == CallOutcome.BadResult ? -1 : 7, outcome.Value);
        }
    }
}
