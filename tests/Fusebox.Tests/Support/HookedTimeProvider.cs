using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Tests.Support;

/// <summary>
/// A fake clock that runs a one-shot action the next time the breaker reads a timestamp. The breaker reads the clock
/// in the middle of some of its decisions, so the action plays "another thread" at exactly that point: a
/// deterministic way to drive an interleaving that a stress loop would only hit by chance.
/// </summary>
internal sealed class HookedTimeProvider : FakeTimeProvider
{
    private Action? _onNextTimestamp;

    /// <summary>Runs <paramref name="action"/> once, inside the next <see cref="GetTimestamp"/> (before it returns).</summary>
    public void OnNextTimestamp(Action action) => _onNextTimestamp = action;

    /// <summary>True until the armed action has run.</summary>
    public bool Armed => _onNextTimestamp is not null;

    public override long GetTimestamp()
    {
        if (Interlocked.Exchange(ref _onNextTimestamp, null) is { } action)
        {
            action();
        }

        return base.GetTimestamp();
    }
}
