using StackExchange.Redis;

namespace Fusebox.Redis;

/// <summary>Adopts the transitions other replicas publish on the prefix's channel (validated like every reply; a
/// message that is not a script's, or is out of range, is ignored: the change log and the sweep correct what it would have said).</summary>
internal sealed class MessageReceiver(CoordinatorContext context, RedisLink link, SharedStateStore store, SharedBreakerSet breakers, StateAdopter adopter)
{
    private bool _enabled = true;
    private volatile bool _stopping;

    /// <summary>For tests: stop adopting pub/sub messages, so only the change log and the sweep bring other replicas' changes.</summary>
    public bool Enabled
    {
        get => Volatile.Read(ref _enabled);
        set => Volatile.Write(ref _enabled, value);
    }

    public void BeginStop() => _stopping = true;

    public void OnMessage(ChannelMessage message)
    {
        if (!link.Available || !Enabled || _stopping)
        {
            return;
        }

        byte[]? bytes = message.Message;
        if (bytes is null || ReplyParser.ParseMessage(bytes, LimitsOf, context.Clock.NowMs) is not { } parsed ||
            !breakers.TryGet(parsed.Name, out var shared))
        {
            return;
        }

        if (parsed.Reply.View is not { } view)
        {
            RedisStateLog.MessageIgnored(context.Logger, parsed.Name, parsed.Reply.Corruption!);
            return;
        }

        if (string.Equals(view.DecidedBy, context.ReplicaId, StringComparison.Ordinal))
        {
            // This replica's own decision: the script's reply carries it and is adopted only if the breaker has not
            // changed since; adopting the echo unconditionally could undo a newer local change.
            return;
        }

        adopter.Observe(shared, view, ViewSource.Message);
        if (view.SentAtMicros > 0)
        {
            context.Metrics.RecordPropagation(shared.Name, (context.Clock.NowMicros - view.SentAtMicros) / 1000.0);
        }
    }

    private ViewLimits? LimitsOf(string name) =>
        breakers.TryGet(name, out var shared) && shared.Mode != SharingMode.Local ? store.Limits(shared) : null;
}
