using System.Globalization;
using System.Text.RegularExpressions;

namespace Fusebox.Redis.Tests.Support;

/// <summary>Replication progress read from INFO replication, to order test steps on what a replica has received.</summary>
internal static partial class Replication
{
    /// <summary>Waits until every replica of <paramref name="master"/> has acknowledged its whole replication stream.</summary>
    public static async Task WaitCaughtUpAsync(RedisServer master, double seconds = 5)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            string info = await RawCommand.SendAsync(master.Port, "INFO", "replication");
            long offset = long.Parse(MasterOffset().Match(info).Groups[1].Value, CultureInfo.InvariantCulture);
            var acked = ReplicaOffset().Matches(info).Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
            if (acked.Length > 0 && acked.All(a => a >= offset))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"the replicas of {master.Endpoint} did not catch up within {seconds} s: {info}");
            }

            await Task.Delay(20);
        }
    }

    [GeneratedRegex(@"master_repl_offset:(\d+)")]
    private static partial Regex MasterOffset();

    [GeneratedRegex(@"slave\d+:.*?offset=(\d+)")]
    private static partial Regex ReplicaOffset();
}
