using System.Net;
using Fusebox.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Http.Tests;

/// <summary>The adaptive concurrency limiter in the handler, against a real Kestrel dependency.</summary>
public class AdmissionTests : OneServerTests
{
    private Uri Url => new(Server.BaseAddress, "check");

    // The limiter measures latency on a fake clock of its own: these tests are about admission, not about the limit.
    private static AdaptiveConcurrencyLimiter OneAtATime() =>
        new(new AdaptiveConcurrencyOptions { InitialLimit = 1, MinLimit = 1, MaxLimit = 1, TimeProvider = new FakeTimeProvider() });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Requests_over_the_limit_are_not_sent_and_never_trip_the_breaker(bool withRetries)
    {
        var settings = new Dictionary<string, string?> { ["Fusebox:Breakers:fraud:FailureThreshold"] = "1" };
        using var limiter = OneAtATime();
        using var fixture = new ClientFixture(o =>
        {
            o.Admission = limiter.ToAdmission(); // the one limiter, whichever handler rotation asks
            o.Retry = withRetries ? new RetryOptions { MaxAttempts = 3, BaseDelay = TimeSpan.Zero } : null;
        }, settings);
        Server.Behavior = Behavior.Hang;
        using var hang = new CancellationTokenSource();
        var holding = fixture.Client.GetAsync(Url, hang.Token);
        await WaitUntilAsync(() => Server.Requests == 1 && limiter.InFlight == 1);

        for (int i = 0; i < 20; i++)
        {
            var ex = await Assert.ThrowsAsync<AdmissionRejectedException>(() => fixture.Client.GetAsync(Url));
            Assert.Equal("concurrency", ex.StageName);
        }

        var breaker = fixture.BreakerFor(Server.BaseAddress);
        Assert.Equal(1, Server.Requests); // none of the 20 was sent
        Assert.Equal(BreakerState.Closed, breaker.State);
        Assert.Equal(0, breaker.Snapshot().FailedCalls);

        await hang.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => holding);
        Assert.Equal(0, limiter.InFlight);
        Server.Behavior = Behavior.Ok;
        using var response = await fixture.Client.GetAsync(Url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(BreakerState.Closed, breaker.State);
    }

    [Fact]
    public async Task With_Return503_a_shed_request_is_a_synthesized_load_shed_answer()
    {
        using var limiter = OneAtATime();
        using var fixture = new ClientFixture(o =>
        {
            o.Admission = limiter.ToAdmission();
            o.WhenOpen = RejectionBehavior.Return503;
        });
        Server.Behavior = Behavior.Hang;
        using var hang = new CancellationTokenSource();
        var holding = fixture.Client.GetAsync(Url, hang.Token);
        await WaitUntilAsync(() => Server.Requests == 1 && limiter.InFlight == 1);

        using var shed = await fixture.Client.GetAsync(Url);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, shed.StatusCode);
        Assert.Equal("Load Shed", shed.ReasonPhrase);
        Assert.Equal(1, Server.Requests);
        Assert.Equal(0, fixture.BreakerFor(Server.BaseAddress).Snapshot().FailedCalls);
        await hang.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => holding);
    }

    [Theory]
    [InlineData(1, 36)] // the send-once path: ⌊40 × 0.9⌋
    [InlineData(2, 32)] // the retry path (ResilientCaller): two 429 attempts, ⌊⌊40 × 0.9⌋ × 0.9⌋; 40 before the fix
    public async Task A_429_answer_is_an_overload_for_aimd(int attempts, int limitAfter)
    {
        using var limiter = new AdaptiveConcurrencyLimiter(new AdaptiveConcurrencyOptions
        {
            Algorithm = ConcurrencyAlgorithm.Aimd, InitialLimit = 40, TimeProvider = new FakeTimeProvider(),
        });
        using var fixture = new ClientFixture(o =>
        {
            o.Admission = limiter.ToAdmission();
            o.Retry = attempts > 1 ? new RetryOptions { MaxAttempts = attempts, BaseDelay = TimeSpan.Zero } : null;
        });
        Server.Behavior = Behavior.TooManyRequests;

        using var response = await fixture.Client.GetAsync(Url);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(attempts, Server.Requests);
        Assert.Equal(limitAfter, limiter.CurrentLimit);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_429_answer_is_an_overload_for_adaptive_throttling_on_both_paths(bool withRetries)
    {
        using var fixture = new ClientFixture(o => o.Retry = withRetries ? new RetryOptions { MaxAttempts = 2, BaseDelay = TimeSpan.Zero } : null);
        // Only overloads count as not accepted: a plain failure would leave p at 0.
        var breaker = fixture.Registry.GetOrAdd("fraud/" + Server.BaseAddress.GetLeftPart(UriPartial.Authority), new CircuitBreakerOptions
        {
            TripPolicy = TripPolicy.ConsecutiveFailures(100),
            AdaptiveThrottling = new AdaptiveThrottlingOptions { NotAccepted = ThrottlingSignal.Overload, RandomSource = () => 0.999 },
        });
        Server.Behavior = Behavior.TooManyRequests;

        for (int i = 0; i < 3; i++)
        {
            using var response = await fixture.Client.GetAsync(Url);
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        }

        // Three requests, none accepted: p = (3 − 2·0) / 4. On the retry path it stayed 0 before the fix.
        var snapshot = breaker.Snapshot();
        Assert.Equal(3, snapshot.FailedCalls);
        Assert.Equal(0.75, snapshot.ThrottleProbability);
    }
}
