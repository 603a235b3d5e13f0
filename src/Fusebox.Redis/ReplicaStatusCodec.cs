using System.Globalization;
using Fusebox.Coordination;

namespace Fusebox.Redis;

/// <summary>
/// The text of one field of <c>prefix:{name}:replicas</c>: <c>1|state|scope|fallback|lastSyncedMs|reportedMs</c>
/// (format version, <see cref="BreakerState"/> name, <c>c</c>luster or <c>l</c>ocal, <c>0</c>/<c>1</c>, Unix
/// milliseconds or <c>-</c>, Unix milliseconds). Parsing is strict: anything else is rejected, never thrown.
/// </summary>
internal static class ReplicaStatusCodec
{
    /// <summary>The longest replica id read back (a longer field name is skipped as corrupt).</summary>
    public const int MaxReplicaIdLength = 256;

    private const string Version = "1";

    /// <summary>The part of the text a change is judged by: state, scope and fallback (not the times).</summary>
    public static string Key(SharedBreakerStatus s) =>
        string.Create(CultureInfo.InvariantCulture, $"{s.LocalState}|{(s.Scope == StateScope.Cluster ? 'c' : 'l')}|{(s.LocalFallback ? 1 : 0)}");

    public static string Encode(SharedBreakerStatus s, DateTimeOffset reportedAt) => string.Create(CultureInfo.InvariantCulture,
        $"{Version}|{Key(s)}|{(s.LastSyncedAt is { } synced ? synced.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) : "-")}|{reportedAt.ToUnixTimeMilliseconds()}");

    public static bool TryDecode(string? replicaId, string? text, out ReplicaStatus status)
    {
        status = null!;
        if (string.IsNullOrEmpty(replicaId) || replicaId.Length > MaxReplicaIdLength || replicaId.Any(char.IsControl) || text is null)
        {
            return false;
        }

        var parts = text.Split('|');
        if (parts.Length != 6 || parts[0] != Version
            || !Enum.TryParse<BreakerState>(parts[1], ignoreCase: false, out var state) || !Enum.IsDefined(state) || !parts[1].All(char.IsAsciiLetter)
            || parts[2] is not ("c" or "l") || parts[3] is not ("0" or "1")
            || !TryTime(parts[5], out var reported))
        {
            return false;
        }

        DateTimeOffset? synced = null;
        if (parts[4] != "-")
        {
            if (!TryTime(parts[4], out var at))
            {
                return false;
            }

            synced = at;
        }

        status = new ReplicaStatus
        {
            ReplicaId = replicaId,
            LocalState = state,
            Scope = parts[2] == "c" ? "cluster" : "local",
            LocalFallback = parts[3] == "1",
            LastSyncedAt = synced,
            ReportedAt = reported,
        };
        return true;
    }

    private static bool TryTime(string text, out DateTimeOffset time)
    {
        time = default;
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long ms) || ms > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return false;
        }

        time = DateTimeOffset.FromUnixTimeMilliseconds(ms);
        return true;
    }
}
