using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;

namespace Fusebox.Polly.Tests;

/// <summary>
/// The strategy inside Microsoft.Extensions.Http.Resilience's <c>AddResilienceHandler</c>, in a real
/// <c>IHttpClientFactory</c> container, against two real Kestrel servers on 127.0.0.1: an outage of one opens its
/// breaker only, rejections send nothing, and recovery closes it.
/// </summary>
public sealed class HttpClientTests : IAsyncLifetime
{
    private static readonly PredicateBuilder<HttpResponseMessage> ServerErrors = new PredicateBuilder<HttpResponseMessage>()
        .Handle<HttpRequestException>()
        .HandleResult(response => (int)response.StatusCode >= 500);

    private readonly FakeTimeProvider _time = new();
    private Downstream _failing = null!;
    private Downstream _healthy = null!;

    public async ValueTask InitializeAsync()
    {
        _failing = await Downstream.StartAsync();
        _healthy = await Downstream.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _failing.DisposeAsync();
        await _healthy.DisposeAsync();
    }

    [Fact]
    public async Task With_SelectPipelineByAuthority_each_authority_gets_its_own_breaker_which_opens_rejects_and_recovers()
    {
        var registry = TestBreakers.Registry(_time);

        await RunOutageAsync(registry, client => client.AddResilienceHandler("fusebox", (builder, context) => builder.AddFuseboxCircuitBreaker(
            new FuseboxStrategyOptions<HttpResponseMessage>
            {
                Registry = context.ServiceProvider.GetRequiredService<CircuitBreakerRegistry>(),
                BreakerName = $"catalog {context.InstanceName}", // one pipeline per authority: InstanceName is the authority
                ShouldHandle = ServerErrors,
            }))
            .SelectPipelineByAuthority());

        Assert.Equal(
            new[] { $"catalog {Authority(_failing)}", $"catalog {Authority(_healthy)}" }.Order(StringComparer.Ordinal),
            registry.Breakers.Select(b => b.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task One_pipeline_with_a_name_selector_over_the_request_gets_a_breaker_per_authority()
    {
        var registry = TestBreakers.Registry(_time);

        await RunOutageAsync(registry, client => client.AddResilienceHandler("fusebox", builder => builder.AddFuseboxCircuitBreaker(
            new FuseboxStrategyOptions<HttpResponseMessage>
            {
                Registry = registry,
                BreakerNameSelector = call => call.GetRequestMessage()?.RequestUri?.Authority ?? "unknown",
                ShouldHandle = ServerErrors,
            })));

        Assert.Equal(
            new[] { _failing.BaseAddress.Authority, _healthy.BaseAddress.Authority }.Order(StringComparer.Ordinal),
            registry.Breakers.Select(b => b.Name).Order(StringComparer.Ordinal));
    }

    /// <summary>Client "catalog", set up by <paramref name="addHandler"/>, in a container holding <paramref name="registry"/>:
    /// one authority's outage, its rejection, the other authority unaffected, the recovery.</summary>
    private async Task RunOutageAsync(CircuitBreakerRegistry registry, Action<IHttpClientBuilder> addHandler)
    {
        var services = new ServiceCollection().AddSingleton(registry);
        addHandler(services.AddHttpClient("catalog"));
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("catalog");
        _failing.Down = true;

        for (int i = 0; i < 2; i++)
        {
            using var response = await client.GetAsync(_failing.BaseAddress);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }

        var rejection = await Assert.ThrowsAsync<BrokenCircuitException>(() => client.GetAsync(_failing.BaseAddress));
        Assert.Equal(TestBreakers.Break, rejection.RetryAfter);
        Assert.Equal(2, _failing.Requests); // the rejected request was never sent
        using (var other = await client.GetAsync(_healthy.BaseAddress))
        {
            Assert.Equal(HttpStatusCode.OK, other.StatusCode); // the other authority's breaker is closed
        }

        _failing.Down = false;
        _time.Advance(TestBreakers.Break);
        using (var probe = await client.GetAsync(_failing.BaseAddress))
        {
            Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        }

        Assert.Equal(3, _failing.Requests);
        Assert.All(registry.Breakers, breaker => Assert.Equal(BreakerState.Closed, breaker.State));
        Assert.Equal(2, registry.Count);
    }

    private static string Authority(Downstream downstream) => downstream.BaseAddress.GetLeftPart(UriPartial.Authority);
}
