namespace Fusebox.Tests.Resilience;

public class RetryDelaysTests
{
    private static RetryDelays Delays(BackoffKind backoff, JitterKind jitter, int seed = 42, double baseMs = 100, double maxMs = 1000) => new(new RetryOptions
    {
        Backoff = backoff,
        Jitter = jitter,
        BaseDelay = TimeSpan.FromMilliseconds(baseMs),
        MaxDelay = TimeSpan.FromMilliseconds(maxMs),
        Random = new Random(seed).NextDouble,
    });

    private static double[] Sequence(RetryDelays delays, int n)
    {
        var result = new double[n];
        var previous = TimeSpan.Zero;
        for (int i = 0; i < n; i++)
        {
            previous = delays.Next(i + 1, previous);
            result[i] = previous.TotalMilliseconds;
        }

        return result;
    }

    [Fact]
    public void Constant_backoff_without_jitter()
    {
        Assert.Equal([100, 100, 100, 100], Sequence(Delays(BackoffKind.Constant, JitterKind.None), 4));
    }

    [Fact]
    public void Linear_backoff_grows_by_the_base_and_stops_at_the_cap()
    {
        Assert.Equal([100, 200, 300, 400, 450, 450], Sequence(Delays(BackoffKind.Linear, JitterKind.None, maxMs: 450), 6));
    }

    [Fact]
    public void Exponential_backoff_doubles_and_stops_at_the_cap()
    {
        Assert.Equal([100, 200, 400, 800, 1000, 1000], Sequence(Delays(BackoffKind.Exponential, JitterKind.None), 6));
    }

    [Fact]
    public void Exponential_backoff_never_overflows_for_large_retry_numbers()
    {
        var delays = Delays(BackoffKind.Exponential, JitterKind.None);

        Assert.Equal(TimeSpan.FromMilliseconds(1000), delays.Next(100, TimeSpan.Zero));
    }

    [Theory]
    [InlineData(BackoffKind.Constant)]
    [InlineData(BackoffKind.Linear)]
    [InlineData(BackoffKind.Exponential)]
    public void Full_jitter_stays_between_zero_and_the_backoff(BackoffKind backoff)
    {
        var plain = Delays(backoff, JitterKind.None);
        var jittered = Delays(backoff, JitterKind.Full, seed: 7);
        var distinct = new HashSet<long>();
        for (int i = 0; i < 2000; i++)
        {
            int retry = (i % 6) + 1;
            var d = jittered.Next(retry, TimeSpan.Zero);
            Assert.InRange(d, TimeSpan.Zero, plain.Next(retry, TimeSpan.Zero));
            distinct.Add(d.Ticks);
        }

        Assert.True(distinct.Count > 1500, "full jitter must spread the delays");
    }

    [Fact]
    public void Full_jitter_is_deterministic_with_a_seeded_random()
    {
        Assert.Equal(Sequence(Delays(BackoffKind.Exponential, JitterKind.Full, seed: 3), 8), Sequence(Delays(BackoffKind.Exponential, JitterKind.Full, seed: 3), 8));
        Assert.NotEqual(Sequence(Delays(BackoffKind.Exponential, JitterKind.Full, seed: 3), 8), Sequence(Delays(BackoffKind.Exponential, JitterKind.Full, seed: 4), 8));
    }

    [Fact]
    public void Decorrelated_jitter_stays_between_the_base_and_three_times_the_previous_capped()
    {
        var delays = Delays(BackoffKind.Exponential, JitterKind.Decorrelated, seed: 11);
        var previous = TimeSpan.Zero;
        for (int i = 1; i <= 5000; i++)
        {
            var next = delays.Next(i, previous);
            double upper = Math.Min(1000, 3 * (previous == TimeSpan.Zero ? 100 : previous.TotalMilliseconds));
            Assert.InRange(next.TotalMilliseconds, 100, Math.Max(100, upper));
            previous = next;
        }
    }

    [Fact]
    public void Decorrelated_jitter_follows_the_aws_formula_for_a_fixed_draw()
    {
        var delays = new RetryDelays(new RetryOptions
        {
            Jitter = JitterKind.Decorrelated,
            BaseDelay = TimeSpan.FromMilliseconds(100),
            MaxDelay = TimeSpan.FromSeconds(10),
            Random = () => 0.5,
        });

        // sleep = base + 0.5 * (3 * previous - base)
        Assert.Equal(200, delays.Next(1, TimeSpan.Zero).TotalMilliseconds);
        Assert.Equal(350, delays.Next(2, TimeSpan.FromMilliseconds(200)).TotalMilliseconds);
        Assert.Equal(575, delays.Next(3, TimeSpan.FromMilliseconds(350)).TotalMilliseconds);
    }

    [Theory]
    [InlineData(JitterKind.None)]
    [InlineData(JitterKind.Full)]
    [InlineData(JitterKind.Decorrelated)]
    public void No_delay_is_ever_negative_or_above_the_maximum(JitterKind jitter)
    {
        foreach (var backoff in Enum.GetValues<BackoffKind>())
        {
            var delays = Delays(backoff, jitter, seed: (int)jitter + 17);
            var previous = TimeSpan.Zero;
            for (int i = 1; i <= 300; i++)
            {
                previous = delays.Next((i % 40) + 1, previous);
                Assert.InRange(previous, TimeSpan.Zero, TimeSpan.FromMilliseconds(1000));
            }
        }
    }

    [Fact]
    public void A_server_hint_replaces_the_backoff()
    {
        var delays = Delays(BackoffKind.Exponential, JitterKind.Full);

        Assert.Equal(TimeSpan.FromMilliseconds(700), delays.Next(1, TimeSpan.Zero, TimeSpan.FromMilliseconds(700)));
    }

    [Fact]
    public void A_server_hint_is_capped_by_the_maximum_and_never_negative()
    {
        var delays = Delays(BackoffKind.Exponential, JitterKind.None);

        Assert.Equal(TimeSpan.FromMilliseconds(1000), delays.Next(1, TimeSpan.Zero, TimeSpan.FromMinutes(5)));
        Assert.Equal(TimeSpan.Zero, delays.Next(1, TimeSpan.Zero, TimeSpan.FromSeconds(-3)));
    }

    [Fact]
    public void A_zero_base_delay_retries_at_once()
    {
        var delays = new RetryDelays(new RetryOptions { BaseDelay = TimeSpan.Zero, Jitter = JitterKind.None });

        Assert.Equal(TimeSpan.Zero, delays.Next(3, TimeSpan.Zero));
    }
}
