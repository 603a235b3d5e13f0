using Fusebox.Redis.Tests.Support;

namespace Fusebox.Redis.Tests;

/// <summary>A manual command that changes nothing while Redis is down (issue 14, defect 4) must not loop.</summary>
public class LivelockTests
{
    [Fact]
    public async Task A_reset_of_a_closed_breaker_while_redis_is_down_is_applied_once_and_the_loop_goes_idle()
    {
        RedisServer.RequireBinary();
        int port = RedisServer.FreePort(); // nobody listens: Redis is down from the start
        await using var replica = await Replica.StartAsync($"127.0.0.1:{port},connectTimeout=200", Replica.Options(Prefix.New(), id: "r1"),
            waitAvailable: false);
        await Eventually.TrueAsync(() => replica.Coordinator.UnavailableReason is not "not connected yet", "first connection attempt failed");
        int manualControls = 0;
        replica.Breaker.ManualControl += (_, _) => Interlocked.Increment(ref manualControls);
        var (idleBefore, dequeuedBefore) = replica.Coordinator.LoopCounters;

        replica.Breaker.Reset("dashboard: reset a closed breaker"); // changes nothing here: published as a command

        // The loop takes the command, applies it locally (the coordinator's own Reset) and goes idle twice. Before the
        // fix the coordinator's Reset raised ManualControl, which queued the command again: the loop never went idle.
        await Eventually.TrueAsync(() => replica.Coordinator.LoopCounters.IdleWaits >= idleBefore + 2, "the loop went idle after the command");
        Assert.Equal(1, replica.Coordinator.LoopCounters.Dequeued - dequeuedBefore);
        Assert.Equal(2, Volatile.Read(ref manualControls)); // the caller's reset and the coordinator's local one, nothing more

        // And the breaker can still trip during the outage (its window is not reset in a loop).
        Assert.Equal(5, replica.Fail(5));
        Assert.Equal(BreakerState.Open, replica.State);
    }
}
