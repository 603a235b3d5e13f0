using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace Fusebox.Http.Tests;

public class HandlerOptionsTests
{
    [Fact]
    public void An_empty_breaker_name_fails_when_the_client_is_registered()
    {
        var services = new ServiceCollection();

        var ex = Assert.Throws<ArgumentException>(() => services.AddHttpClient("x").AddFuseboxHandler(o => o.BreakerName = ""));

        Assert.Contains("FuseboxHttpHandlerOptions.BreakerName", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_undefined_rejection_behavior_fails_at_registration()
    {
        var services = new ServiceCollection();

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => services.AddHttpClient("x").AddFuseboxHandler(o => o.WhenOpen = (RejectionBehavior)7));

        Assert.Contains("WhenOpen must be Throw or Return503", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_relative_uri_without_a_base_address_is_a_clear_error()
    {
        using var registry = new CircuitBreakerRegistry();
        using var invoker = new HttpMessageInvoker(new FuseboxHttpHandler(registry, new FuseboxHttpHandlerOptions()) { InnerHandler = new StubHandler() });

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri("/relative", UriKind.Relative)), CancellationToken.None));

        Assert.Contains("relative", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exceptions_that_say_nothing_about_the_dependency_pass_through_and_are_ignored()
    {
        using var registry = new CircuitBreakerRegistry();
        var stub = new StubHandler { Throw = new InvalidOperationException("bad request setup") };
        var handler = new FuseboxHttpHandler(registry, new FuseboxHttpHandlerOptions { BreakerName = "svc" }) { InnerHandler = stub };
        using var invoker = new HttpMessageInvoker(handler);

        for (int i = 0; i < 10; i++)
        {
            var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://svc.test/"), CancellationToken.None));
            Assert.Same(stub.Throw, ex);
        }

        var breaker = registry.GetOrAdd("svc/http://svc.test:80");
        Assert.Equal(BreakerState.Closed, breaker.State);
        Assert.Equal(10, breaker.Snapshot().IgnoredCalls);
    }

    [Fact]
    public async Task A_custom_response_classifier_decides_failures()
    {
        using var registry = new CircuitBreakerRegistry();
        var stub = new StubHandler { Status = HttpStatusCode.NotFound };
        var handler = new FuseboxHttpHandler(registry, new FuseboxHttpHandlerOptions { BreakerName = "svc", ShouldHandleResponse = r => r.StatusCode == HttpStatusCode.NotFound }) { InnerHandler = stub };
        using var invoker = new HttpMessageInvoker(handler);

        for (int i = 0; i < 5; i++)
        {
            using var _ = await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://svc.test/"), CancellationToken.None);
        }

        Assert.Equal(BreakerState.Open, registry.GetOrAdd("svc/http://svc.test:80").State);
        Assert.Equal(5, stub.Calls);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, true)]
    [InlineData(HttpStatusCode.BadGateway, true)]
    [InlineData(HttpStatusCode.ServiceUnavailable, true)]
    [InlineData(HttpStatusCode.GatewayTimeout, true)]
    [InlineData(HttpStatusCode.RequestTimeout, true)]
    [InlineData(HttpStatusCode.TooManyRequests, true)]
    [InlineData(HttpStatusCode.OK, false)]
    [InlineData(HttpStatusCode.NoContent, false)]
    [InlineData(HttpStatusCode.BadRequest, false)]
    [InlineData(HttpStatusCode.Unauthorized, false)]
    [InlineData(HttpStatusCode.NotFound, false)]
    [InlineData(HttpStatusCode.Conflict, false)]
    public void Default_failure_statuses(HttpStatusCode status, bool failure)
    {
        Assert.Equal(failure, FuseboxHttpHandlerOptions.IsTransientFailure(status));
    }

    private sealed class StubHandler : HttpMessageHandler
    {
        public Exception? Throw { get; init; }

        public HttpStatusCode Status { get; init; } = HttpStatusCode.OK;

        public int Calls { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Calls++;
            return Throw is null ? Task.FromResult(new HttpResponseMessage(Status) { RequestMessage = request }) : Task.FromException<HttpResponseMessage>(Throw);
        }
    }
}
