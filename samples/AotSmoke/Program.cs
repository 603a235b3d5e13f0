// Exercises, in a native-AOT binary, what a trimming/AOT publish could break: the core breaker's state machine
// (trip, reject, half-open, close) on a fake clock, configuration binding (source-generated), dependency injection,
// and the HTTP handler in an IHttpClientFactory pipeline over a stub inner handler. No network, no real waits.
using System.Net;
using Fusebox;
using Fusebox.Extensions;
using Fusebox.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

var failures = new List<string>();
void Check(bool condition, string what)
{
    if (!condition)
    {
        failures.Add(what);
    }
}

// 1. The core breaker.
var time = new FakeTimeProvider();
var breaker = new CircuitBreaker("core", new CircuitBreakerOptions
{
    TripPolicy = TripPolicy.ConsecutiveFailures(2),
    BreakDuration = TimeSpan.FromSeconds(30),
    HalfOpenPermits = 1,
}, time);
for (int i = 0; i < 2; i++)
{
    try
    {
        await breaker.ExecuteAsync<int>(_ => throw new InvalidOperationException("downstream failed"));
    }
    catch (InvalidOperationException)
    {
    }
}

Check(breaker.State == BreakerState.Open, $"core: open after two failures (was {breaker.State})");
try
{
    await breaker.ExecuteAsync(_ => ValueTask.FromResult(1));
    Check(false, "core: a call while open is rejected");
}
catch (CircuitOpenException ex)
{
    Check(ex.RetryAfter == TimeSpan.FromSeconds(30), $"core: RetryAfter is the break duration (was {ex.RetryAfter})");
}

CallOutcome<int> rejected = await breaker.TryExecuteAsync(_ => ValueTask.FromResult(1));
Check(rejected.IsRejected, "core: TryExecuteAsync reports the rejection");
time.Advance(TimeSpan.FromSeconds(30));
Check(breaker.State == BreakerState.HalfOpen, $"core: half-open after the break (was {breaker.State})");
int probe = await breaker.ExecuteAsync(_ => ValueTask.FromResult(42));
Check(probe == 42 && breaker.State == BreakerState.Closed, $"core: a successful probe closes it (was {breaker.State})");

// 2. Configuration, DI and the HTTP handler.
var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Fusebox:Breakers:downstream:TripPolicy"] = "ConsecutiveFailures",
    ["Fusebox:Breakers:downstream:FailureThreshold"] = "3",
    ["Fusebox:Breakers:downstream:BreakDuration"] = "00:00:10",
}).Build();
var stub = new StubHandler();
var services = new ServiceCollection();
services.AddSingleton<TimeProvider>(time);
services.AddFusebox(configuration);
services.AddHttpClient("downstream", c => c.BaseAddress = new Uri("http://downstream.test"))
    .ConfigurePrimaryHttpMessageHandler(() => stub)
    .AddFuseboxHandler();
await using (var provider = services.BuildServiceProvider())
{
    var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("downstream");
    for (int i = 0; i < 3; i++)
    {
        using var response = await client.GetAsync("/check");
        Check(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"http: the stub's 503 passes through (was {response.StatusCode})");
    }

    try
    {
        using var response = await client.GetAsync("/check");
        Check(false, "http: the fourth request is rejected by the open breaker");
    }
    catch (CircuitOpenException ex)
    {
        Check(ex.RetryAfter == TimeSpan.FromSeconds(10), $"http: RetryAfter comes from configuration (was {ex.RetryAfter})");
    }

    Check(stub.Requests == 3, $"http: the rejected request never reached the inner handler ({stub.Requests} sent)");
}

if (failures.Count > 0)
{
    foreach (string failure in failures)
    {
        Console.Error.WriteLine($"aot-smoke: FAILED {failure}");
    }

    return 1;
}

Console.WriteLine("aot-smoke: ok");
return 0;

/// <summary>The downstream service: always 503, counting what reaches it.</summary>
internal sealed class StubHandler : HttpMessageHandler
{
    private int _requests;

    public int Requests => Volatile.Read(ref _requests);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _requests);
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { RequestMessage = request });
    }
}
