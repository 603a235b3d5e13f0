namespace Fusebox.Replay.Tests;

public class ReplayCommandTests
{
    [Fact]
    public async Task The_command_prints_the_table_and_writes_the_plot()
    {
        string folder = Directory.CreateTempSubdirectory("fusebox-replay-").FullName;
        try
        {
            string trace = Path.Combine(folder, "trace.csv"), svg = Path.Combine(folder, "out.svg");
            await File.WriteAllTextAsync(trace, Traces.Text([.. Traces.Every(1, 0, 10, "success"), .. Enumerable.Repeat((10.0, "failure", 0.0), 5), .. Traces.Every(1, 10, 61, "success")]));
            var output = new StringWriter();

            int exit = await ReplayCommand.RunAsync([trace, "--policy", "name=c5,consecutive:5,break=30s", "--svg", svg], output, TextWriter.Null);

            Assert.Equal(0, exit);
            string[] lines = output.ToString().Split('\n');
            Assert.Equal(["c5", "1", "10.000", "s", "30.000", "s", "30", "5", "30", "0", "3"], lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("c5 open: 10.000–40.000 s (ConsecutiveFailures)", output.ToString(), StringComparison.Ordinal);
            Assert.True(File.Exists(svg));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData(new[] { "missing.csv" }, "Give a trace file and at least one --policy or a --config.")]
    [InlineData(new[] { "t.csv", "--policy", "consecutive:x" }, "--policy \"consecutive:x\": 'consecutive:x': 'x' must be a whole number")]
    [InlineData(new[] { "t.csv", "--policy" }, "--policy needs a value.")]
    [InlineData(new[] { "t.csv", "--fast" }, "Unknown argument '--fast'.")]
    public async Task A_bad_command_line_exits_2_with_the_message(string[] args, string expected)
    {
        var error = new StringWriter();

        int exit = await ReplayCommand.RunAsync(args, TextWriter.Null, error);

        Assert.Equal(2, exit);
        Assert.StartsWith(expected, error.ToString(), StringComparison.Ordinal);
    }

}
