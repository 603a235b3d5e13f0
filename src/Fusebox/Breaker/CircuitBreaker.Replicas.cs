namespace Fusebox;

public sealed partial class CircuitBreaker
{
    // Set by a coordinator when it starts sharing the breaker; read only by admin requests, never on a call path.
    private Func<CancellationToken, Task<Coordination.ReplicaReport>>? _replicaReader;

    internal Func<CancellationToken, Task<Coordination.ReplicaReport>>? ReplicaReader => Volatile.Read(ref _replicaReader);

    internal void SetReplicaReader(Func<CancellationToken, Task<Coordination.ReplicaReport>>? read) => Volatile.Write(ref _replicaReader, read);
}
