using Microsoft.Extensions.Logging;

namespace Fusebox.Extensions.Tests;

public class LoggingTests
{
    [Fact]
    public async Task Opening_is_a_warning_with_reason_and_rate_half_open_and_close_are_information()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?> { ["Fusebox:Defaults:HalfOpenPermits"] = "1" });
        var breaker = host.Registry.GetOrAdd("fraud-service");

        breaker.FailTimes(5);
        host.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(breaker.TryAcquire(out var probe));
        probe.RecordSuccess();

        var records = host.Logs.GetSnapshot().Where(r => r.Category == "Fusebox").ToList();
        Assert.Equal(["BreakerOpened", "BreakerHalfOpened", "BreakerClosed"], records.Select(r => r.Id.Name));
        Assert.Equal([LogLevel.Warning, LogLevel.Information, LogLevel.Information], records.Select(r => r.Level));
        Assert.Contains("'fraud-service' opened: ConsecutiveFailures (5 consecutive failures); failure rate 100.0%", records[0].Message, StringComparison.Ordinal);
        Assert.Equal("fraud-service", records[0].StructuredState!.Single(kv => kv.Key == "Breaker").Value);
    }

    [Fact]
    public async Task Manual_actions_are_logged_with_who()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?>());

        host.Registry.GetOrAdd("svc").Isolate("isolated by alice");

        var record = Assert.Single(host.Logs.GetSnapshot(), r => r.Category == "Fusebox");
        Assert.Equal(LogLevel.Warning, record.Level);
        Assert.Contains("isolated by alice", record.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejections_never_log_at_warning_or_above()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?>());
        var breaker = host.Registry.GetOrAdd("svc");
        breaker.FailTimes(5);
        for (int i = 0; i < 1000; i++)
        {
            Assert.False(breaker.TryAcquire(out _));
        }

        Assert.Single(host.Logs.GetSnapshot(), r => r.Level >= LogLevel.Warning);
    }

    [Fact]
    public void CallRejected_is_a_debug_event()
    {
        var logger = new Microsoft.Extensions.Logging.Testing.FakeLogger();

        FuseboxLog.CallRejected(logger, "svc", BreakerState.Open, TimeSpan.FromSeconds(3));

        Assert.Equal(LogLevel.Debug, logger.LatestRecord.Level);
        Assert.Equal("Circuit breaker 'svc' rejected a call (Open); retry after 00:00:03", logger.LatestRecord.Message);
    }
}
