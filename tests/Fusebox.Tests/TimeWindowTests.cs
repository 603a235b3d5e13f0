using Fusebox.Tests.Support;

namespace Fusebox.Tests;

public class TimeWindowTests
{
    private static (CircuitBreaker, Microsoft.Extensions.Time.Testing.FakeTimeProvider) Breaker(double rate = 0.5, int minCalls = 4) =>
        TestBreakers.Create(new CircuitBreakerOptions { TripPolicy = TripPolicy.FailureRate(rate, TimeSpan.FromSeconds(10), minCalls) });

    [Fact]
    public void Trips_on_rate_within_the_window()
    {
        var (breaker, time) = Breaker();
        breaker.Succeed();
        breaker.Succeed();
        time.Advance(TimeSpan.FromSeconds(3));
        breaker.Fail();
        Assert.Equal(BreakerState.Closed, breaker.State);

        breaker.Fail();

        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.Equal("failure rate 50% over 4 calls", breaker.Snapshot().LastReasonDescription);
    }

    [Fact]
    public void Calls_older_than_the_window_expire()
    {
        var (breaker, time) = Breaker(minCalls: 2);
        breaker.Fail();
        time.Advance(TimeSpan.FromSeconds(10)); // the first bucket has left the window

        Assert.Equal(new WindowStatistics(0, 0, 0), breaker.Snapshot().Window);
        breaker.Fail();
        Assert.Equal(BreakerState.Closed, breaker.State);
        breaker.Fail();
        Assert.Equal(BreakerState.Open, breaker.State);
    }

    [Fact]
    public void Buckets_expire_one_by_one()
    {
        var (breaker, time) = Breaker(minCalls: 100);
        for (int second = 0; second < 10; second++)
        {
            breaker.Fail();
            time.Advance(TimeSpan.FromSeconds(1));
        }

        // at t=10 s the bucket of t=0 has expired: 9 calls remain; each further second expires one more
        for (int remaining = 9; remaining >= 0; remaining--)
        {
            Assert.Equal(remaining, breaker.Snapshot().Window.Calls);
            time.Advance(TimeSpan.FromSeconds(1));
        }
    }

    [Fact]
    public void A_long_silence_clears_everything_in_constant_work()
    {
        var (breaker, time) = Breaker(minCalls: 100);
        breaker.FailTimes(50);

        time.Advance(TimeSpan.FromDays(365));

        Assert.Equal(new WindowStatistics(0, 0, 0), breaker.Snapshot().Window);
    }

    [Fact]
    public void A_clock_stepping_back_lands_in_the_newest_bucket()
    {
        var meter = TripPolicy.FailureRate(1, TimeSpan.FromSeconds(10), 100).CreateMeter();
        long t = TimeSpan.FromSeconds(100).Ticks;
        meter.Record(true, false, t);

        meter.Record(true, false, t - TimeSpan.FromSeconds(30).Ticks);

        Assert.Equal(new WindowStatistics(2, 2, 0), meter.Read(t));
    }

    [Fact]
    public void Time_window_policy_describes_itself()
    {
        var policy = (TimeWindowPolicy)TripPolicy.FailureRate(0.5, TimeSpan.FromSeconds(10), 4, buckets: 5);

        Assert.True(policy.RequiresClock);
        Assert.Equal(5, policy.Buckets);
        Assert.Equal(0.5, policy.FailureRateThreshold);
        Assert.Equal("FailureRate(window=00:00:10, buckets=5, failureRate>=0.5, minimumCalls=4)", policy.ToString());
    }
}
