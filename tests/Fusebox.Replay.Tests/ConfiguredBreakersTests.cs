namespace Fusebox.Replay.Tests;

public sealed class ConfiguredBreakersTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("fusebox-replay-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string json)
    {
        string path = Path.Combine(_folder, "appsettings.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Breakers_are_read_as_fusebox_extensions_binds_them_with_the_defaults_layered_in()
    {
        string path = Write("""
            { "App": { "Fusebox": {
              "Defaults": { "BreakDuration": "00:00:30" },
              "Breakers": {
                "fraud": { "TripPolicy": "ConsecutiveFailures", "FailureThreshold": 7 },
                "ledger": { "TripPolicy": "FailureRate", "FailureRateThreshold": 0.5, "WindowSize": 10, "MinimumCalls": 5, "BreakDuration": "00:00:05" } } } } }
            """);

        var breakers = ConfiguredBreakers.Read(path, "App:Fusebox:Breakers");

        Assert.Equal(["fraud", "ledger"], breakers.Select(b => b.Name));
        Assert.Equal((TripPolicy.ConsecutiveFailures(7), TimeSpan.FromSeconds(30)), (breakers[0].Options.TripPolicy, breakers[0].Options.BreakDuration));
        Assert.Equal((TripPolicy.FailureRate(0.5, 10, 5), TimeSpan.FromSeconds(5)), (breakers[1].Options.TripPolicy, breakers[1].Options.BreakDuration));
    }

    [Fact]
    public async Task A_bad_value_exits_2_naming_its_configuration_path()
    {
        string path = Write("""{ "Fusebox": { "Breakers": { "x": { "FailureThreshold": 0 } } } }""");
        var error = new StringWriter();

        int exit = await ReplayCommand.RunAsync(["unused.csv", "--config", path], TextWriter.Null, error);

        Assert.Equal(2, exit);
        Assert.Contains("Fusebox:Breakers:x:FailureThreshold", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Fusebox", "--section must name the Breakers of a Fusebox section")]
    [InlineData("Other:Breakers", "--section must name the Breakers of a Fusebox section")]
    [InlineData("Fusebox:Breakers", "no breakers under 'Fusebox:Breakers'")]
    public void A_section_without_breakers_is_refused(string section, string expected)
    {
        string path = Write("""{ "Fusebox": { "Defaults": { } } }""");

        var error = Assert.Throws<ArgumentException>(() => ConfiguredBreakers.Read(path, section));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
