using Fusebox.Coordination;

namespace Fusebox.Redis;

/// <summary>
/// Applies the <see cref="Reconciler"/>'s decisions to a breaker: under the breaker's gate, it builds the
/// <see cref="LocalView"/>, asks for a decision, adopts the state (compare-and-set on the local generation where the
/// decision says so) and records what is now known. The only place the coordinator changes a breaker's state.
/// </summary>
internal sealed class StateAdopter(CoordinatorContext context, Reconciler reconciler)
{
    /// <summary>Takes in a validated view of the shared state.</summary>
    /// <param name="shared">The breaker.</param>
    /// <param name="view">The view.</param>
    /// <param name="source">Where it came from.</param>
    /// <param name="localGenerationBefore">For a reply: the breaker's generation when the call was sent; a newer local
    /// change since must not be undone. Null for a message (adopted as it comes).</param>
    /// <param name="publishing">The reply to publishing a queued change (which still counts as queued).</param>
    public void Observe(SharedBreaker shared, ClusterView view, ViewSource source, long? localGenerationBefore = null, bool publishing = false)
    {
        if (view.Code == 0 && source is ViewSource.OwnTransition or ViewSource.OwnManual or ViewSource.OwnCommand)
        {
            context.Metrics.RecordDecision(shared.Name, won: false);
        }

        lock (shared.Gate)
        {
            if (shared.Detached)
            {
                return;
            }

            Apply(shared, view, reconciler.Decide(LocalOf(shared), view, source, localGenerationBefore, publishing));
        }
    }

    /// <summary>Lets a breaker that waits on a cluster decision decide alone (see <see cref="Reconciler.Release"/>).
    /// Call under the gate.</summary>
    public void Release(SharedBreaker shared, string why)
    {
        if (reconciler.Release(LocalOf(shared), why) is { } external)
        {
            shared.LocalGenerationAtSync = shared.Breaker.ApplyExternal(external);
        }

        shared.HeldLocalGeneration = -1;
    }

    /// <summary>The local side, read under the gate.</summary>
    public static LocalView LocalOf(SharedBreaker shared) =>
        new(shared.Breaker.GetRecordedState(), shared.Breaker.Generation, shared.LocalGenerationAtSync, shared.IsHeld, shared.View,
            Volatile.Read(ref shared.PendingPublishes), shared.Mode);

    private void Apply(SharedBreaker shared, ClusterView view, MergeDecision decision)
    {
        if (decision.LookAgain)
        {
            Volatile.Write(ref shared.NeedsSync, true);
        }

        if (decision.Push)
        {
            shared.PushWanted = true;
            shared.PushFrom = shared.View;
        }

        if (decision.Record)
        {
            Record(shared, view);
        }

        if (decision.InSyncGeneration is { } inSync)
        {
            shared.LocalGenerationAtSync = inSync;
        }

        if (decision.Adopt is not { } external)
        {
            return;
        }

        if (!TryAdopt(shared, view, external, decision.ExpectedGeneration, decision.ClearWindow))
        {
            // A local change raced with this one: the view is not recorded and the next tick reads the state again.
            Volatile.Write(ref shared.NeedsSync, true);
            return;
        }

        if (!decision.Record)
        {
            Record(shared, view);
        }

        if (decision.Won)
        {
            context.Metrics.RecordDecision(shared.Name, won: true);
        }
    }

    private bool TryAdopt(SharedBreaker shared, ClusterView view, ExternalState external, long? expectedLocalGeneration, bool clearWindow)
    {
        long generation;
        if (expectedLocalGeneration is { } expected)
        {
            if (!shared.Breaker.TryApplyExternal(external, expected, out generation))
            {
                return false;
            }
        }
        else
        {
            generation = shared.Breaker.ApplyExternal(external);
        }

        shared.LocalGenerationAtSync = generation;
        if (view.State == BreakerState.Closed && clearWindow)
        {
            shared.CountsAtClose = shared.Breaker.ReadCallCounts();
        }
        if (view.State == BreakerState.HalfOpen)
        {
            shared.HeldLocalGeneration = generation;
            shared.HeldClusterGeneration = view.Generation;
            shared.ReportedSuccesses = 0;
            (shared.Leased, shared.UnusedAtLastTick) = (0, 0);
        }
        else
        {
            shared.HeldLocalGeneration = -1;
        }

        RedisStateLog.Adopted(context.Logger, shared.Name, view.State, view.Generation, view.DecidedBy, view.Description);
        return true;
    }

    private void Record(SharedBreaker shared, ClusterView view)
    {
        shared.View = view;
        shared.LastSyncAt = context.Clock.NowMs;
        shared.LastSyncedAt = context.Clock.UtcNow;
    }
}
