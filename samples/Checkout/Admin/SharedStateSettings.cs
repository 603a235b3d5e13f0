using Fusebox.Redis;

namespace Checkout.Admin;

/// <summary>Where and under which key prefix the payment replicas share their breakers (Fusebox.Redis).</summary>
/// <param name="Connection">A StackExchange.Redis connection string.</param>
/// <param name="KeyPrefix">The sharing scope: replicas with the same prefix share breakers of the same name.</param>
/// <param name="Mode">Quorum (the default) or Any.</param>
public sealed record SharedStateSettings(string Connection, string KeyPrefix, SharingMode Mode);
