using Checkout.Scenario;

namespace Checkout.Tests;

public class OptionsTests
{
    [Fact]
    public void Defaults_are_a_60_second_run_at_100_per_second()
    {
        var options = ScenarioOptions.Parse([]);

        Assert.Equal(TimeSpan.FromSeconds(60), options.Duration);
        Assert.Equal(100, options.Rate);
        Assert.Null(options.JsonPath);
        Assert.False(options.Serve);
        Assert.Null(options.RecordPath);
        Assert.Equal(1, options.Scale);
    }

    [Fact]
    public void All_options_parse()
    {
        var options = ScenarioOptions.Parse(["--duration", "30", "--rate", "50", "--json", "out.json", "--serve"]);

        Assert.Equal((TimeSpan.FromSeconds(30), 50, "out.json", true, 0.5), (options.Duration, options.Rate, options.JsonPath, options.Serve, options.Scale));
    }

    [Fact]
    public void Record_takes_the_trace_path()
    {
        Assert.Equal("trace.csv", ScenarioOptions.Parse(["--record", "trace.csv"]).RecordPath);
        Assert.Contains("--record PATH", ScenarioOptions.Usage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--redis" }, null, "Quorum")]
    [InlineData(new[] { "--redis", "--duration", "20" }, null, "Quorum")]
    [InlineData(new[] { "--redis", "10.0.0.5:6379,password=x", "--sharing", "any" }, "10.0.0.5:6379,password=x", "Any")]
    public void Redis_takes_an_optional_connection_string_and_a_sharing_mode(string[] args, string? connection, string mode)
    {
        var options = ScenarioOptions.Parse(args);

        Assert.True(options.Redis);
        Assert.Equal(connection, options.RedisConnection);
        Assert.Equal(mode, options.Sharing.ToString());
    }

    [Theory]
    [InlineData(new[] { "--duration", "5" }, "--duration must be a number in [6, 600] (was '5')")]
    [InlineData(new[] { "--duration", "ten" }, "--duration must be a number in [6, 600] (was 'ten')")]
    [InlineData(new[] { "--rate", "0" }, "--rate must be a number in [1, 1000] (was '0')")]
    [InlineData(new[] { "--json" }, "--json needs a value.")]
    [InlineData(new[] { "--fast" }, "Unknown argument '--fast'.")]
    [InlineData(new[] { "--redis", "--sharing", "all" }, "--sharing must be quorum or any (was 'all').")]
    [InlineData(new[] { "--redis", "--serve" }, "--serve shows one payment service's dashboard; it cannot be combined with --redis")]
    [InlineData(new[] { "--record" }, "--record needs a value.")]
    [InlineData(new[] { "--redis", "--record", "t.csv" }, "--record traces the one Fusebox run's fraud calls; it cannot be combined with --redis")]
    public void Bad_arguments_are_named_with_their_range(string[] args, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => ScenarioOptions.Parse(args));

        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_argument_exits_2_with_the_message()
    {
        var output = new StringWriter();

        int exit = await CheckoutApp.RunAsync(["--rate", "-1"], output);

        Assert.Equal(2, exit);
        Assert.Contains("--rate must be a number in [1, 1000]", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_prints_the_usage()
    {
        var output = new StringWriter();

        Assert.Equal(0, await CheckoutApp.RunAsync(["--help"], output));
        Assert.Contains("--duration SECONDS", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, Phase.Healthy)]
    [InlineData(11.9, Phase.Healthy)]
    [InlineData(12, Phase.Timeouts)]
    [InlineData(35.9, Phase.Timeouts)]
    [InlineData(36, Phase.Errors)]
    [InlineData(48, Phase.Recovered)]
    [InlineData(75, Phase.Recovered)]
    public void The_phases_follow_the_script(double seconds, Phase expected)
    {
        Assert.Equal(expected, new PhaseSchedule(TimeSpan.FromSeconds(60)).At(TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void Percentiles_are_nearest_rank()
    {
        var latency = Latency.Of(Enumerable.Range(1, 100).Select(i => (double)i).Reverse().ToArray());

        Assert.Equal((50, 99, 100, 100), (latency.P50Ms, latency.P99Ms, latency.MaxMs, latency.Samples));
        Assert.Equal(new Latency(0, 0, 0, 0), Latency.Of([]));
    }
}
