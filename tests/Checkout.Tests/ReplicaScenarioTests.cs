using System.Text.Json;
using Checkout.Redis;

namespace Checkout.Tests;

/// <summary>The two-replica scenario (<c>--redis</c>) against a real redis-server the sample starts itself.</summary>
[Collection(nameof(ScenarioCollection))]
public class ReplicaScenarioTests
{
    [Fact]
    public async Task Replicas_sharing_through_redis_open_half_open_and_close_as_one_breaker_and_lose_nothing()
    {
        var (root, output) = await RunAsync("quorum");

        var local = root.GetProperty("local");
        var shared = root.GetProperty("shared");
        AssertNothingLost(local, output);
        AssertNothingLost(shared, output);

        // The quorum (both replicas) opened the cluster, and each replica adopted the cluster's decision.
        foreach (var replica in shared.GetProperty("replicas").EnumerateArray())
        {
            var reasons = Timeline(replica).Select(e => e.Reason).ToList();
            Assert.Contains(reasons, r => r.StartsWith("cluster: local breakers tripped on 2 of 2 replicas", StringComparison.Ordinal));
            Assert.Contains(reasons, r => r.StartsWith("cluster: break duration elapsed", StringComparison.Ordinal));
            Assert.NotNull(StoppedAfter(replica));
        }

        // From then on one breaker: the same half-open rounds on both replicas, started by the same replica, the same
        // state nearly all the outage. (Rounds a replica's own breaker ran before the quorum formed are its own.)
        var rounds = shared.GetProperty("replicas").EnumerateArray().Select(r => SharedRounds.Of(Timeline(r))).ToArray();
        string? difference = SharedRounds.Difference(rounds[0], rounds[1]);
        Assert.True(difference is null, $"{difference}\n{output}");
        double agreement = shared.GetProperty("stateAgreement").GetDouble();
        Assert.True(agreement >= 0.95, $"shared breakers agreed {agreement:P1} of the outage\n{output}");
        Assert.Contains("same breaker state (of outage)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_any_mode_the_first_replica_to_trip_stops_the_other_one_at_once()
    {
        // At 40 checkouts/s the quiet replica's own five failures come about 0.36 s after the busy one's (0.15 s at the
        // default 100/s): the margin sharing has to beat. CI once measured 160 ms from replica-a's trip to its adoption
        // on a machine running the browser and Redis suites at the same time (10 ms when quiet), and at 100/s that
        // lost to replica-b's own trip by 10 ms: "the shared replicas stopped 0.15 s apart, the local ones 0.15 s".
        var (root, output) = await RunAsync("any", rate: 40);

        var shared = root.GetProperty("shared");
        AssertNothingLost(shared, output);
        var replicas = shared.GetProperty("replicas").EnumerateArray().ToArray();
        double?[] stops = [.. replicas.Select(StoppedAfter)];
        Assert.All(stops, s => Assert.NotNull(s));

        // One replica's trip was published and adopted by the other (under load both may trip at nearly the same
        // time; then the one that lost the race adopts the winner's open): the busy replica's trip stops the quiet one
        // far sooner than the quiet one's own five failures stop it in the local pair.
        Assert.Contains(replicas.SelectMany(Timeline), e => e.State == "open" && e.Reason.StartsWith("cluster: replica ", StringComparison.Ordinal));
        double gap = shared.GetProperty("stopSpreadSeconds").GetDouble();
        double localGap = root.GetProperty("local").GetProperty("stopSpreadSeconds").GetDouble();
        // Compared with the local pair of the same run, not with a wall-clock bound: both pairs run on the same loaded
        // machine at once, so a fixed 0.1 s failed CI (0.11 s shared against 0.16 s local) while sharing worked.
        Assert.True(gap < localGap, $"the shared replicas stopped {gap} s apart, the local ones {localGap} s\n{output}");
    }

    private static async Task<(JsonElement Root, string Output)> RunAsync(string sharing, int rate = 100)
    {
        if (LocalRedisServer.FindBinary() is null)
        {
            Assert.SkipWhen(!string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase),
                "redis-server is not installed (apt-get install redis-server); --redis starts one. With CI=true this is a failure.");
            Assert.Fail("redis-server is not installed, and CI=true requires it: apt-get install redis-server.");
        }

        string json = Path.Combine(Path.GetTempPath(), $"checkout-replicas-{Guid.NewGuid():N}.json");
        var output = new StringWriter();
        int exit = await CheckoutApp.RunAsync(["--redis", "--sharing", sharing, "--duration", "15", "--rate", rate.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json", json], output, TestContext.Current.CancellationToken);
        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json, TestContext.Current.CancellationToken));
        File.Delete(json);
        return (doc.RootElement.Clone(), output.ToString());
    }

    private static void AssertNothingLost(JsonElement pair, string output)
    {
        foreach (var replica in pair.GetProperty("replicas").EnumerateArray())
        {
            var run = replica.GetProperty("checkouts");
            int requests = run.GetProperty("requests").GetInt32();
            Assert.True(requests > 0, output);
            Assert.Equal(0, run.GetProperty("lost").GetInt32());
            Assert.Equal(requests, run.GetProperty("approved").GetInt32() + run.GetProperty("flaggedForReview").GetInt32() + run.GetProperty("errors").GetInt32());
        }
    }

    private static double? StoppedAfter(JsonElement replica) =>
        replica.GetProperty("stoppedAfterSeconds") is { ValueKind: JsonValueKind.Number } v ? v.GetDouble() : null;

    private static IEnumerable<(double AtSeconds, string State, string Reason)> Timeline(JsonElement replica) =>
        replica.GetProperty("checkouts").GetProperty("breakerTimeline").EnumerateArray()
            .Select(e => (e.GetProperty("atSeconds").GetDouble(), e.GetProperty("state").GetString()!, e.GetProperty("reason").GetString() ?? ""));
}
