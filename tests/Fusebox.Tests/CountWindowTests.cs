using Fusebox.Tests.Support;

namespace Fusebox.Tests;

public class CountWindowTests
{
    private static CircuitBreaker Breaker(double rate, int window, int minCalls) =>
        TestBreakers.Create(new CircuitBreakerOptions { TripPolicy = TripPolicy.FailureRate(rate, window, minCalls) }).Breaker;

    [Fact]
    public void Does_not_trip_below_the_minimum_number_of_calls()
    {
        var breaker = Breaker(0.5, 20, 10);

        breaker.FailTimes(9);

        Assert.Equal(BreakerState.Closed, breaker.State);
        breaker.Fail();
        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.Equal(TransitionReason.FailureRate, breaker.Snapshot().LastReason);
        Assert.Equal("failure rate 100% over 10 calls", breaker.Snapshot().LastReasonDescription);
    }

    [Fact]
    public void Trips_when_the_rate_reaches_the_threshold_exactly()
    {
        var breaker = Breaker(0.5, 20, 10);
        for (int i = 0; i < 5; i++)
        {
            breaker.Succeed();
        }

        breaker.FailTimes(4);
        Assert.Equal(BreakerState.Closed, breaker.State);  // 4 of 9, below minimum anyway
        breaker.Fail();                                     // 5 of 10 = 50 %
        Assert.Equal(BreakerState.Open, breaker.State);
    }

    [Fact]
    public void Old_calls_slide_out_of_the_window()
    {
        var breaker = Breaker(0.5, 4, 4);
        breaker.FailTimes(1);
        for (int i = 0; i < 4; i++)
        {
            breaker.Succeed(); // the failure has slid out
        }

        breaker.Fail();
        Assert.Equal(BreakerState.Closed, breaker.State);   // 1 of 4
        Assert.Equal(new WindowStatistics(4, 1, 0), breaker.Snapshot().Window);
        breaker.Fail();
        Assert.Equal(BreakerState.Open, breaker.State);     // 2 of 4
    }

    [Fact]
    public void The_seeds_five_of_twenty_example()
    {
        var breaker = Breaker(0.25, 20, 20);
        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < 16; i++)
            {
                breaker.Succeed();
            }

            breaker.FailTimes(4);
            Assert.Equal(BreakerState.Closed, breaker.State);
        }

        breaker.Fail(); // the window now holds 5 failures of 20
        Assert.Equal(BreakerState.Open, breaker.State);
    }

    [Fact]
    public void Closing_clears_the_window()
    {
        var (breaker, time) = TestBreakers.Create(new CircuitBreakerOptions { TripPolicy = TripPolicy.FailureRate(0.5, 10, 2), HalfOpenPermits = 1 });
        breaker.FailTimes(2);
        time.Advance(TimeSpan.FromSeconds(30));
        breaker.Succeed();
        Assert.Equal(BreakerState.Closed, breaker.State);

        Assert.Equal(new WindowStatistics(0, 0, 0), breaker.Snapshot().Window);
        breaker.Fail();
        Assert.Equal(BreakerState.Closed, breaker.State);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100_000)]
    public void Window_totals_track_the_ring_for_any_size(int size)
    {
        var meter = TripPolicy.FailureRate(1, size, 1).CreateMeter();
        int calls = (size * 3) + 5;
        var history = new List<bool>();
        for (int i = 0; i < calls; i++)
        {
            bool failure = i % 3 == 0;
            history.Add(failure);
            meter.Record(failure, slow: i % 5 == 0, now: 0);
        }

        var expectedWindow = Enumerable.Range(calls - Math.Min(size, calls), Math.Min(size, calls)).ToArray();
        var stats = meter.Read(0);
        Assert.Equal(expectedWindow.Length, stats.Calls);
        Assert.Equal(expectedWindow.Count(i => i % 3 == 0), stats.Failures);
        Assert.Equal(expectedWindow.Count(i => i % 5 == 0), stats.SlowCalls);
    }
}
