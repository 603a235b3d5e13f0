using Fusebox.Tests.Support;

namespace Fusebox.Tests;

public class BreakDurationTests
{
    private static CircuitBreaker Breaker(CircuitBreakerOptions options) => TestBreakers.Create(options).Breaker;

    [Theory]
    [InlineData(0, 30)]
    [InlineData(1, 60)]
    [InlineData(2, 120)]
    [InlineData(3, 240)]
    [InlineData(4, 300)]
    [InlineData(20, 300)]
    public void Backoff_grows_exponentially_up_to_the_maximum(int reopens, int expectedSeconds)
    {
        var breaker = Breaker(new() { BreakDurationBackoff = 2, MaxBreakDuration = TimeSpan.FromMinutes(5) });

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds).Ticks, breaker.BreakTicks(reopens));
    }

    [Fact]
    public void Consecutive_reopens_lengthen_the_break_and_a_close_restores_it()
    {
        var (breaker, time) = TestBreakers.Create(new CircuitBreakerOptions { BreakDurationBackoff = 3, MaxBreakDuration = TimeSpan.FromMinutes(10), HalfOpenPermits = 1 });
        breaker.Trip();
        Assert.Equal(TimeSpan.FromSeconds(30), breaker.Snapshot().RetryAfter);

        time.Advance(TimeSpan.FromSeconds(30));
        breaker.Fail();
        Assert.Equal(TimeSpan.FromSeconds(90), breaker.Snapshot().RetryAfter);
        Assert.Equal(1, breaker.Snapshot().ConsecutiveOpens);

        time.Advance(TimeSpan.FromSeconds(90));
        breaker.Fail();
        Assert.Equal(TimeSpan.FromSeconds(270), breaker.Snapshot().RetryAfter);

        time.Advance(TimeSpan.FromSeconds(270));
        breaker.Succeed();
        Assert.Equal(BreakerState.Closed, breaker.State);
        breaker.Trip();
        Assert.Equal(TimeSpan.FromSeconds(30), breaker.Snapshot().RetryAfter);
    }

    [Fact]
    public void Jitter_shortens_the_break_within_its_fraction_and_never_lengthens_it()
    {
        var breaker = Breaker(new() { BreakDurationJitter = 0.2 });
        var random = new Random(1234);
        breaker.JitterSource = random.NextDouble;
        long nominal = TimeSpan.FromSeconds(30).Ticks;
        var seen = new HashSet<long>();

        for (int i = 0; i < 1000; i++)
        {
            long ticks = breaker.BreakTicks(0);
            Assert.InRange(ticks, (long)(nominal * 0.8), nominal);
            seen.Add(ticks);
        }

        Assert.True(seen.Count > 900, "jitter must spread the breaks");
    }

    [Theory]
    [InlineData(0.0, 30)]
    [InlineData(0.5, 27)]
    [InlineData(0.999999, 24)]
    public void Jitter_maps_the_random_draw_linearly(double draw, int expectedSeconds)
    {
        var breaker = Breaker(new() { BreakDurationJitter = 0.2 });
        breaker.JitterSource = () => draw;

        Assert.Equal(expectedSeconds, TimeSpan.FromTicks(breaker.BreakTicks(0)).TotalSeconds, 3);
    }

    [Fact]
    public void Jitter_applies_after_the_cap_so_the_maximum_is_never_exceeded()
    {
        var breaker = Breaker(new() { BreakDurationBackoff = 10, MaxBreakDuration = TimeSpan.FromMinutes(1), BreakDurationJitter = 0.5 });
        breaker.JitterSource = () => 0;

        Assert.Equal(TimeSpan.FromMinutes(1).Ticks, breaker.BreakTicks(5));
    }
}
