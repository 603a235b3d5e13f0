using Checkout.Scenario;

namespace Checkout.Tests;

/// <summary><c>--partial-outage</c>: adaptive throttling keeps the fraud service at its capacity where the hard breaker flaps.</summary>
public class PartialOutageTests
{
    [Fact]
    public void Throttling_serves_far_more_checks_than_the_flapping_hard_breaker()
    {
        var results = PartialOutage.Run();
        var (hard, throttled) = (results[0], results[1]);

        Assert.True(hard.Opens >= 10, $"the hard breaker must flap through the outage (opened {hard.Opens} times)");
        Assert.True(throttled.Opens * 3 <= hard.Opens, $"throttling must keep the breaker mostly closed ({throttled.Opens} opens against {hard.Opens})");
        Assert.True(throttled.Checked > hard.Checked * 3 / 2, $"throttling must serve far more checks ({throttled.Checked} against {hard.Checked})");
        Assert.True(throttled.Throttled > 0);
        Assert.Equal(0, hard.Throttled);
    }

    [Fact]
    public async Task The_option_prints_the_side_by_side_table_and_runs_nothing_else()
    {
        using var output = new StringWriter();
        Assert.Equal(0, await CheckoutApp.RunAsync(["--partial-outage"], output));

        string text = output.ToString();
        Assert.Contains("hard breaker", text, StringComparison.Ordinal);
        Assert.Contains("with adaptive throttling", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Circuit Breaker Report", text, StringComparison.Ordinal);
    }
}
