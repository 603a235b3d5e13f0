using Microsoft.Extensions.Logging;

namespace Fusebox.Extensions.Tests;

/// <summary>appsettings.json changed on disk while the host runs (file provider, <c>reloadOnChange: true</c>).</summary>
public class ConfigurationFileReloadTests
{
    private const string Good = """{ "Breakers": { "fraud": { "FailureThreshold": 3, "Critical": true } } }""";

    public static TheoryData<string, string> BadReloads => new()
    {
        { """{ "Breakers": { "fraud": { "FailureThreshold": "abc", "Critical": true } } }""",
            "Fusebox:Breakers:fraud:FailureThreshold: 'abc' is not a whole number (use digits, e.g. 5)." },
        { """{ "Breakers": { "fraud": { "FailureThreshhold": 2, "Critical": true } } }""",
            "Fusebox:Breakers:fraud:FailureThreshhold: unknown key (did you mean FailureThreshold?)" },
        { """{ "Breakers": { "fraud": { "FailureThreshold": 3, "BreakDuration": 30, "Critical": true } } }""",
            "Fusebox:Breakers:fraud:BreakDuration: '30' has no unit; use \"00:00:30\" or \"30s\"." },
        { """{ "Breakers": { "fraud": { "FailureThreshold": 3, "Critical": "yes" } } }""",
            "Fusebox:Breakers:fraud:Critical: 'yes' is not a boolean (use true or false)." },
    };

    [Theory]
    [MemberData(nameof(BadReloads))]
    public async Task A_reload_with_an_unreadable_value_is_logged_and_the_running_options_stay(string bad, string expected)
    {
        await using var host = await JsonFileHost.StartAsync(Good);
        var fraud = host.Registry.GetOrAdd("fraud");

        await host.RewriteAsync(bad);

        // The watcher may announce one write more than once: every announcement must be rejected the same way.
        var records = host.Logs.GetSnapshot();
        var errors = records.Where(r => r.Id.Name == "ReloadRejected").ToList();
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.Equal(LogLevel.Error, e.Level));
        Assert.All(errors, e => Assert.Contains(expected, e.Message, StringComparison.Ordinal));
        Assert.DoesNotContain(records, r => r.Id.Name == "ReloadAdopted");
        Assert.Equal(3, Assert.IsType<ConsecutiveFailuresPolicy>(fraud.Options.TripPolicy).FailureThreshold);
        Assert.True(host.FuseboxConfiguration.IsCritical("fraud"));
        Assert.Equal(3, Assert.IsType<ConsecutiveFailuresPolicy>(host.Registry.GetOrAdd("fraud/http://late:80").Options.TripPolicy).FailureThreshold);
    }

    [Fact]
    public async Task A_rejected_reload_logs_the_text_that_would_have_stopped_the_host()
    {
        const string bad = """{ "Breakers": { "fraud": { "WindowDuration": "ten seconds" }, "search": { "HalfOpenPermits": 0 } } }""";
        var atStart = await JsonFileHost.StartFailureAsync(bad);
        await using var host = await JsonFileHost.StartAsync(Good);

        await host.RewriteAsync(bad);

        var errors = host.Logs.GetSnapshot().Where(r => r.Id.Name == "ReloadRejected").ToList();
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.EndsWith(string.Join("; ", atStart.Failures), e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_valid_file_reload_is_adopted_by_running_breakers()
    {
        await using var host = await JsonFileHost.StartAsync(Good);
        var fraud = host.Registry.GetOrAdd("fraud");

        await host.RewriteAsync("""{ "Breakers": { "Fraud": { "FailureThreshold": 2, "BreakDuration": "10s" } } }""");

        Assert.Contains(host.Logs.GetSnapshot(), r => r.Id.Name == "ReloadAdopted");
        Assert.Equal(2, Assert.IsType<ConsecutiveFailuresPolicy>(fraud.Options.TripPolicy).FailureThreshold);
        Assert.Equal(TimeSpan.FromSeconds(10), fraud.Options.BreakDuration);
        Assert.False(host.FuseboxConfiguration.IsCritical("fraud"));
    }
}
