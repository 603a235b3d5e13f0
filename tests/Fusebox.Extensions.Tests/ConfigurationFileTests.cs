using Microsoft.Extensions.Configuration;

namespace Fusebox.Extensions.Tests;

/// <summary>appsettings.json on disk, read by a host built with <c>Host.CreateApplicationBuilder</c>: every key and
/// value under the Fusebox section is either understood or stops the host naming its path.</summary>
public class ConfigurationFileTests
{
    public static TheoryData<string, string> BadFiles => new()
    {
        // One bad value inside a breaker entry: the entry (and its Critical flag) must not silently fall back to defaults.
        { """{ "Breakers": { "fraud": { "FailureThreshold": "abc", "Critical": true } } }""",
            "Fusebox:Breakers:fraud:FailureThreshold: 'abc' is not a whole number (use digits, e.g. 5)" },
        { """{ "Breakers": { "fraud": { "BreakDuration": "ten seconds", "Critical": true } } }""",
            "Fusebox:Breakers:fraud:BreakDuration: 'ten seconds' is not a duration (use hh:mm:ss, e.g. \"00:00:30\", or a number and a unit ms, s, m, h or d, e.g. \"30s\")" },
        { """{ "Breakers": { "fraud": { "HalfOpenPermits": "2147483648", "Critical": true } } }""",
            "Fusebox:Breakers:fraud:HalfOpenPermits: '2147483648' is out of range (a whole number from -2147483648 to 2147483647)" },
        { """{ "Breakers": { "fraud": { "TripPolicy": "FailureRate", "FailureRateThreshold": "0,5", "WindowSize": 10, "Critical": true } } }""",
            "Fusebox:Breakers:fraud:FailureRateThreshold: '0,5' is not a number (use a decimal point, e.g. 0.5)" },
        { """{ "Breakers": { "fraud": { "Critical": "yes" } } }""",
            "Fusebox:Breakers:fraud:Critical: 'yes' is not a boolean (use true or false)" },
        { """{ "Breakers": { "fraud": { "BreakDuration": 30, "Critical": true } } }""",
            "Fusebox:Breakers:fraud:BreakDuration: '30' has no unit; use \"00:00:30\" or \"30s\"" },
        { """{ "Breakers": { "fraud": { "FailureThreshhold": 3, "Critical": true } } }""",
            "Fusebox:Breakers:fraud:FailureThreshhold: unknown key (did you mean FailureThreshold?); allowed: Name, TripPolicy, FailureThreshold," },
        { """{ "Breakers": { "fraud": { "FailureThreshold": { "Value": 3 }, "Critical": true } } }""",
            "Fusebox:Breakers:fraud:FailureThreshold: expected a value, found a section" },
        { """{ "Breakers": { "fraud": 3 } }""",
            "Fusebox:Breakers:fraud: expected a section (a JSON object) of breaker settings, found the value '3'" },

        // The same mistakes elsewhere in the section.
        { """{ "MaxBreaker": 100 }""",
            "Fusebox:MaxBreaker: unknown key (did you mean MaxBreakers?); allowed: Defaults, Breakers, MaxBreakers, EvictAfterIdle" },
        { """{ "Breaker": { "fraud": { "Critical": true } } }""",
            "Fusebox:Breaker: unknown key (did you mean Breakers?)" },
        { """{ "Default": { "FailureThreshold": 3 } }""",
            "Fusebox:Default: unknown key (did you mean Defaults?)" },
        { """{ "Defaults": { "FailureThreshhold": 3 } }""",
            "Fusebox:Defaults:FailureThreshhold: unknown key (did you mean FailureThreshold?); allowed: TripPolicy, FailureThreshold," },
        { """{ "Defaults": { "BreakDuration": 30 } }""",
            "Fusebox:Defaults:BreakDuration: '30' has no unit; use \"00:00:30\" or \"30s\"" },
        { """{ "Defaults": { "Name": "x" } }""",
            "Fusebox:Defaults:Name: unknown key; allowed: TripPolicy," },
        { """{ "EvictAfterIdle": 1 }""",
            "Fusebox:EvictAfterIdle: '1' has no unit; use \"00:00:01\" or \"1s\"" },
        { """{ "MaxBreakers": "10k" }""",
            "Fusebox:MaxBreakers: '10k' is not a whole number (use digits, e.g. 5)" },
        { """{ "Defaults": { "BreakDurationJitter": "NaN" } }""",
            "Fusebox:Defaults:BreakDurationJitter: 'NaN' is not a number (use a decimal point, e.g. 0.5)" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task An_unknown_key_or_unconvertible_value_stops_the_host_naming_path_value_and_what_is_allowed(string fusebox, string expected)
    {
        var ex = await JsonFileHost.StartFailureAsync(fusebox);

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_unreadable_value_is_reported_at_once_and_range_errors_of_readable_entries_too()
    {
        var ex = await JsonFileHost.StartFailureAsync("""
            { "Breakers": { "a": { "FailureThreshold": "x" }, "b": { "Critical": "maybe" }, "c": { "HalfOpenPermits": 0 } } }
            """);

        Assert.Equal(
            [
                "Fusebox:Breakers:a:FailureThreshold: 'x' is not a whole number (use digits, e.g. 5).",
                "Fusebox:Breakers:b:Critical: 'maybe' is not a boolean (use true or false).",
                "Fusebox:Breakers:c:HalfOpenPermits: CircuitBreakerOptions.HalfOpenPermits must be in [1, 1000] (was 0).",
            ],
            ex.Failures);
    }

    [Fact]
    public async Task An_unreadable_value_is_not_followed_by_errors_that_only_repeat_it()
    {
        // "0,5" not being read leaves FailureRateThreshold unset; "required by the FailureRate policy" would only confuse.
        var ex = await JsonFileHost.StartFailureAsync("""
            { "Breakers": { "fraud": { "TripPolicy": "FailureRate", "FailureRateThreshold": "0,5", "WindowSize": 10 } } }
            """);

        Assert.Single(ex.Failures);
    }

    [Fact]
    public async Task A_misspelled_Fusebox_section_stops_the_host()
    {
        var ex = await JsonFileHost.StartFailureAsync("""{ "Breakers": { "fraud": { "Critical": true } } }""", sectionName: "Fusbox");

        Assert.Contains("Fusbox: no section 'Fusebox' was found, and this one looks like it is meant to be it; Fusebox reads only 'Fusebox'.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_Fusebox_section_at_all_is_fine()
    {
        await using var host = await JsonFileHost.StartAsync("""{ "Breakers": { "fraud": { "FailureThreshold": 2 } } }""",
            (services, configuration) => services.AddFusebox(configuration.GetSection("Elsewhere")));

        Assert.Equal(5, Threshold(host, "fraud"));
    }

    [Fact]
    public async Task A_bad_value_names_the_full_path_of_a_nested_section()
    {
        var ex = await JsonFileHost.StartFailureAsync(
            """{ "Fusebox": { "Breakers": { "a": { "FailureThreshold": "abc" }, "b": { "HalfOpenPermits": 0 } } } }""",
            (services, configuration) => services.AddFusebox(configuration.GetSection("Resilience:Fusebox")), sectionName: "Resilience");

        Assert.Equal(
            [
                "Resilience:Fusebox:Breakers:a:FailureThreshold: 'abc' is not a whole number (use digits, e.g. 5).",
                "Resilience:Fusebox:Breakers:b:HalfOpenPermits: CircuitBreakerOptions.HalfOpenPermits must be in [1, 1000] (was 0).",
            ],
            ex.Failures);
    }

    public static TheoryData<string, TimeSpan> Durations => new()
    {
        { "00:00:30", TimeSpan.FromSeconds(30) },
        { "1.00:00:00", TimeSpan.FromDays(1) },
        { "00:00:00.250", TimeSpan.FromMilliseconds(250) },
        { "30s", TimeSpan.FromSeconds(30) },
        { "1.5s", TimeSpan.FromMilliseconds(1500) },
        { "250ms", TimeSpan.FromMilliseconds(250) },
        { "2m", TimeSpan.FromMinutes(2) },
        { "1h", TimeSpan.FromHours(1) },
        { "1d", TimeSpan.FromDays(1) },
        { " 45S ", TimeSpan.FromSeconds(45) },
    };

    [Theory]
    [MemberData(nameof(Durations))]
    public async Task Durations_are_read_as_hh_mm_ss_or_a_number_with_a_unit(string text, TimeSpan expected)
    {
        await using var host = await JsonFileHost.StartAsync($$"""{ "Breakers": { "fraud": { "BreakDuration": "{{text}}" } } }""");

        Assert.Equal(expected, host.Registry.GetOrAdd("fraud").Options.BreakDuration);
    }

    [Fact]
    public async Task The_section_itself_can_be_passed_in_any_case()
    {
        await using var host = await JsonFileHost.StartAsync("""{ "Breakers": { "fraud": { "FailureThreshold": 2, "Critical": true } } }""",
            (services, configuration) => services.AddFusebox(configuration.GetSection("fusebox")));

        Assert.Equal(2, Assert.IsType<ConsecutiveFailuresPolicy>(host.Registry.GetOrAdd("fraud").Options.TripPolicy).FailureThreshold);
        Assert.True(host.FuseboxConfiguration.IsCritical("fraud"));
    }

    [Fact]
    public async Task Entries_match_breaker_names_ignoring_case_like_configuration_keys()
    {
        await using var host = await JsonFileHost.StartAsync("""{ "Breakers": { "Fraud": { "FailureThreshold": 2, "Critical": true } } }""");

        foreach (string name in new[] { "fraud", "FRAUD", "fraud/https://fraud:443" })
        {
            Assert.Equal(2, Assert.IsType<ConsecutiveFailuresPolicy>(host.Registry.GetOrAdd(name).Options.TripPolicy).FailureThreshold);
            Assert.True(host.FuseboxConfiguration.IsCritical(name));
        }
    }

    [Fact]
    public async Task A_breaker_whose_name_contains_a_colon_is_configured_through_Name()
    {
        await using var host = await JsonFileHost.StartAsync("""
            {
              "Breakers": {
                "redis-main": { "Name": "redis:6379", "FailureThreshold": 2, "Critical": true },
                "fraud-one-host": { "Name": "fraud/http://fraud-1:8080", "FailureThreshold": 7 },
                "fraud": { "FailureThreshold": 4 }
              }
            }
            """);

        Assert.Equal(2, Threshold(host, "redis:6379"));
        Assert.True(host.FuseboxConfiguration.IsCritical("redis:6379"));
        Assert.Equal(5, Threshold(host, "redis-main"));                  // the entry's key is only a label
        Assert.Equal(7, Threshold(host, "fraud/http://fraud-1:8080"));   // one host of the fraud client on its own
        Assert.Equal(4, Threshold(host, "fraud/http://fraud-2:8080"));   // the client's other hosts
    }

    [Fact]
    public async Task A_bad_value_in_a_named_entry_names_the_entrys_path()
    {
        var ex = await JsonFileHost.StartFailureAsync("""{ "Breakers": { "redis-main": { "Name": "redis:6379", "HalfOpenPermits": 0 } } }""");

        Assert.Contains("Fusebox:Breakers:redis-main:HalfOpenPermits: CircuitBreakerOptions.HalfOpenPermits must be in [1, 1000] (was 0)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_entries_for_one_breaker_stop_the_host()
    {
        var ex = await JsonFileHost.StartFailureAsync("""{ "Breakers": { "redis": { "FailureThreshold": 3 }, "other": { "Name": "REDIS", "FailureThreshold": 2 } } }""");

        Assert.Contains("Fusebox:Breakers:other:Name: 'REDIS' is already configured by Fusebox:Breakers:redis", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_colon_in_a_configuration_key_stops_the_host_with_a_hint()
    {
        // JSON "redis:6379" is the path redis → 6379: configuration keys cannot hold a colon.
        var ex = await JsonFileHost.StartFailureAsync("""{ "Breakers": { "redis:6379": { "FailureThreshold": 2 } } }""");

        Assert.Contains("Fusebox:Breakers:redis:6379: unknown key; a breaker name with ':' cannot be a configuration key: give the entry another key and the name in \"Name\", e.g. \"redis\": { \"Name\": \"redis:6379\" }", ex.Message, StringComparison.Ordinal);
    }

    private static int Threshold(JsonFileHost host, string name) =>
        Assert.IsType<ConsecutiveFailuresPolicy>(host.Registry.GetOrAdd(name).Options.TripPolicy).FailureThreshold;
}
