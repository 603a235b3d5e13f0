// Uses the packages the way an application would: a breaker of its own, then dependency injection with a named
// HttpClient through the Fusebox handler (over a stub inner handler: no network), a Polly v8 pipeline with the
// Fusebox strategy, and the gRPC interceptor's rejection check (its dependencies load; no channel). Prints
// "package-check: ok" and exits 0 when everything behaved; eng/package-check.sh runs it.
using System.Net;
using Fusebox;
using Fusebox.Extensions;
using Fusebox.Grpc;
using Fusebox.Http;
using Fusebox.Polly;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Polly;
using Polly.CircuitBreaker;

var breaker = new CircuitBreaker("inventory", new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(1) });
CallOutcome<int> failed = await breaker.TryExecuteAsync<int>(_ => throw new TimeoutException("inventory timed out"));
CallOutcome<int> rejected = await breaker.TryExecuteAsync(_ => ValueTask.FromResult(1));
if (!failed.IsFaulted || !rejected.IsRejected)
{
    return Fail($"the breaker did not trip and reject (faulted: {failed.IsFaulted}, rejected: {rejected.IsRejected})");
}

var services = new ServiceCollection();
services.AddFusebox(o => o.Defaults.FailureThreshold = 2);
services.AddHttpClient("catalog", c => c.BaseAddress = new Uri("http://catalog.test"))
    .ConfigurePrimaryHttpMessageHandler(() => new AlwaysFailing())
    .AddFuseboxHandler(o => o.WhenOpen = RejectionBehavior.Return503);
await using var provider = services.BuildServiceProvider();
var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("catalog");
var statuses = new List<HttpStatusCode>();
for (int i = 0; i < 3; i++)
{
    using var response = await client.GetAsync("/items");
    statuses.Add(response.StatusCode);
    if (i == 2 && !response.Headers.Contains("X-Fusebox-Breaker"))
    {
        return Fail("the third request was not answered by the open breaker");
    }
}

var registry = provider.GetRequiredService<CircuitBreakerRegistry>();
if (registry.Breakers.Count != 1 || registry.Breakers[0].State != BreakerState.Open)
{
    return Fail($"expected one open breaker for the catalog host; statuses: {string.Join(", ", statuses)}");
}

// Fusebox.Polly: the registry's breaker inside a Polly pipeline; an open one rejects with Polly's own exception.
var pipeline = new ResiliencePipelineBuilder().AddFuseboxCircuitBreaker(registry, "pricing").Build();
registry.GetOrAdd("pricing").Isolate("package check");
try
{
    pipeline.Execute(() => 1);
    return Fail("the isolated breaker let a Polly pipeline call through");
}
catch (BrokenCircuitException)
{
}

// Fusebox.Grpc: the interceptor builds over the registry; an ordinary RpcException is not a Fusebox rejection.
_ = new FuseboxGrpcInterceptor(registry);
if (FuseboxGrpcRejection.IsRejection(new RpcException(new Status(StatusCode.Unavailable, "down")), out _, out _))
{
    return Fail("a plain Unavailable status was taken for a Fusebox rejection");
}

Console.WriteLine("package-check: ok");
return 0;

static int Fail(string why)
{
    Console.Error.WriteLine($"package-check: FAILED: {why}");
    return 1;
}

/// <summary>The downstream service, down: every request gets a 500.</summary>
internal sealed class AlwaysFailing : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError) { RequestMessage = request });
}
