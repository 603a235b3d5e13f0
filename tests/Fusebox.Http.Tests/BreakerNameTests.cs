using System.Net;

namespace Fusebox.Http.Tests;

/// <summary>Per-host breakers are named <c>{BreakerName}/{scheme}://{host}:{port}</c>, the port always written.</summary>
public class BreakerNameTests
{
    [Theory]
    [InlineData("http://svc.test/a", "svc/http://svc.test:80")]
    [InlineData("http://svc.test:80/a", "svc/http://svc.test:80")]
    [InlineData("https://svc.test/a?q=1", "svc/https://svc.test:443")]
    [InlineData("http://svc.test:8080/", "svc/http://svc.test:8080")]
    [InlineData("http://user:secret@svc.test/", "svc/http://svc.test:80")]
    [InlineData("http://[::1]/", "svc/http://[::1]:80")]
    [InlineData("HTTP://SVC.Test/", "svc/http://svc.test:80")]
    public async Task The_breaker_name_carries_scheme_host_and_port(string url, string expected)
    {
        using var registry = new CircuitBreakerRegistry();
        var handler = new FuseboxHttpHandler(registry, new FuseboxHttpHandlerOptions { BreakerName = "svc" }) { InnerHandler = new OkHandler() };
        using var invoker = new HttpMessageInvoker(handler);

        using var _ = await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, url), CancellationToken.None);

        Assert.Equal(expected, Assert.Single(registry.Report()).Name);
    }
}
