// docs/testing.md, "Code that uses the HTTP handler" shows this file.

using System.Net;
using Fusebox;
using Fusebox.Extensions;
using Fusebox.Http;
using Fusebox.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Testing.Tests.Guide;

// The primary handler stands in for the network: no socket is opened, and it counts what would have been sent.
public sealed class StubHandler(HttpStatusCode status = HttpStatusCode.OK) : HttpMessageHandler
{
    public int Requests { get; private set; }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests++;
        return Task.FromResult(new HttpResponseMessage(status) { RequestMessage = request });
    }
}

public class CatalogClientTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly StubHandler _network = new();

    private ServiceProvider Services(RejectionBehavior whenOpen)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);   // the registry, and so every breaker, runs on the fake clock
        services.AddFusebox();
        services.AddHttpClient("catalog", c => c.BaseAddress = new Uri("https://catalog.example"))
            .AddFuseboxHandler(o => o.WhenOpen = whenOpen)
            .ConfigurePrimaryHttpMessageHandler(() => _network);
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task An_open_breaker_answers_503_with_Retry_After_and_sends_nothing()
    {
        using var services = Services(RejectionBehavior.Return503);
        var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("catalog");
        var registry = services.GetRequiredService<CircuitBreakerRegistry>();

        // The handler's breaker for this host is "{client name}/{scheme}://{host}[:{port}]".
        registry.GetOrAdd("catalog/https://catalog.example:443").ForceOpen(TimeSpan.FromSeconds(10));

        using var rejected = await client.GetAsync("/items/42");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, rejected.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(10), rejected.Headers.RetryAfter?.Delta);
        Assert.Equal("catalog/https://catalog.example:443", rejected.Headers.GetValues(FuseboxHttpHandler.BreakerHeader).Single());
        Assert.Equal(0, _network.Requests);

        _time.Advance(TimeSpan.FromSeconds(10));
        using var probe = await client.GetAsync("/items/42");
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        Assert.Equal(1, _network.Requests);
    }

    [Fact]
    public async Task An_open_breaker_throws_CircuitOpenException_by_default()
    {
        using var services = Services(RejectionBehavior.Throw);
        var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("catalog");
        var registry = services.GetRequiredService<CircuitBreakerRegistry>();
        using var transitions = new TransitionRecorder(registry);

        registry.GetOrAdd("catalog/https://catalog.example:443").ForceOpen(TimeSpan.FromSeconds(10));

        var ex = await Assert.ThrowsAsync<CircuitOpenException>(() => client.GetAsync("/items/42"));
        Assert.Equal(TimeSpan.FromSeconds(10), ex.RetryAfter);
        Assert.Equal(0, _network.Requests);
        transitions.AssertTransitions(BreakerState.Open);
    }
}
