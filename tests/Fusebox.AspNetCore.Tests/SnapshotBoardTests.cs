using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.AspNetCore.Tests;

public class SnapshotBoardTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private static string[] Names(string json) => JsonDocument.Parse(json).RootElement.EnumerateArray().Select(b => b.GetProperty("name").GetString()!).ToArray();

    [Fact]
    public void A_quiet_tick_has_no_changes()
    {
        var time = new FakeTimeProvider();
        using var registry = new CircuitBreakerRegistry(timeProvider: time);
        registry.GetOrAdd("a");
        var board = new SnapshotBoard(registry, time, Interval);
        var (version, _) = board.Full();

        time.Advance(Interval);
        var deltas = new List<SnapshotBoard.Delta>();

        Assert.True(board.TryGetChangesSince(version, deltas));
        Assert.Empty(deltas);
    }

    [Fact]
    public void Connections_share_one_pass_over_the_breakers_per_half_interval()
    {
        var time = new FakeTimeProvider();
        using var registry = new CircuitBreakerRegistry(timeProvider: time);
        for (int i = 0; i < 100; i++)
        {
            registry.GetOrAdd($"b{i:D3}");
        }

        var board = new SnapshotBoard(registry, time, Interval);
        var versions = Enumerable.Range(0, 50).Select(_ => board.Full().Version).ToArray(); // 50 clients connect at once
        registry.GetOrAdd("b042").FailTimes(1);
        time.Advance(Interval);

        var sent = versions.Select(v =>
        {
            var deltas = new List<SnapshotBoard.Delta>();
            Assert.True(board.TryGetChangesSince(v, deltas));
            return Assert.Single(deltas).Json;
        }).ToArray();

        Assert.Equal(2, board.Refreshes); // one when the first client connected, one at the tick: not one per client
        Assert.All(sent, json => Assert.Equal(["b042"], Names(json)));
        Assert.Single(sent.Distinct(StringComparer.Ordinal)); // and one string, written once, for all 50
    }

    [Fact]
    public void A_connection_that_fell_further_behind_than_the_kept_deltas_must_take_a_full_snapshot()
    {
        var time = new FakeTimeProvider();
        using var registry = new CircuitBreakerRegistry(timeProvider: time);
        var breaker = registry.GetOrAdd("a");
        var board = new SnapshotBoard(registry, time, Interval);
        var (behind, _) = board.Full();
        var (recent, _) = board.Full();

        for (int i = 0; i <= SnapshotBoard.KeptDeltas; i++)
        {
            breaker.SucceedTimes(1);
            time.Advance(Interval);
            if (i < SnapshotBoard.KeptDeltas)
            {
                var kept = new List<SnapshotBoard.Delta>();
                Assert.True(board.TryGetChangesSince(recent, kept));
                recent = Assert.Single(kept).Version;
            }
        }

        Assert.False(board.TryGetChangesSince(behind, []));
        var caughtUp = new List<SnapshotBoard.Delta>();
        Assert.True(board.TryGetChangesSince(recent, caughtUp));
        Assert.Single(caughtUp);
    }
}
