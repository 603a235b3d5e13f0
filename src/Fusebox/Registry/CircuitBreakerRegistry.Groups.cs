namespace Fusebox;

// The breaker groups created on this registry (new BreakerGroup(name, registry, ...)), so that whoever shows the
// registry's breakers (the admin API and dashboard of Fusebox.AspNetCore) can show the groups they belong to without a
// registration step an application could forget. A group joins when it is created and leaves when it is disposed.
public sealed partial class CircuitBreakerRegistry
{
    private readonly Lock _groupGate = new(); // joins and leaves only; readers take the copy-on-write array
    private BreakerGroup[] _groups = [];

    /// <summary>The breaker groups created on this registry and not yet disposed, in the order they were created.</summary>
    public IReadOnlyList<BreakerGroup> Groups => Volatile.Read(ref _groups);

    internal void AttachGroup(BreakerGroup group)
    {
        lock (_groupGate)
        {
            Volatile.Write(ref _groups, [.. _groups, group]);
        }
    }

    internal void DetachGroup(BreakerGroup group)
    {
        lock (_groupGate)
        {
            Volatile.Write(ref _groups, Array.FindAll(_groups, g => !ReferenceEquals(g, group)));
        }
    }
}
