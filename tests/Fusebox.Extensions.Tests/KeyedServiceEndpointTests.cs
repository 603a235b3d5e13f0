using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Fusebox.Extensions.Tests;

/// <summary>A minimal-API parameter <c>[FromKeyedServices("fraud")]</c> on a real Kestrel host at 127.0.0.1.</summary>
public class KeyedServiceEndpointTests
{
    [Fact]
    public async Task A_minimal_api_parameter_gets_the_registrys_breaker_and_caller_for_the_key()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Services.AddFusebox(o => o.Breakers["fraud"] = new BreakerConfiguration { FailureThreshold = 1 });
        await using var app = builder.Build();
        app.MapPost("/fraud/fail", ([FromKeyedServices("fraud")] CircuitBreaker breaker) =>
        {
            Assert.True(breaker.TryAcquire(out var permit));
            permit.RecordFailure();
            return breaker.State.ToString();
        });
        app.MapGet("/fraud/caller", ([FromKeyedServices("fraud")] ResilientCaller caller, CircuitBreakerRegistry registry) =>
            new { caller.Breaker.Name, State = caller.Breaker.State.ToString(), Same = ReferenceEquals(caller.Breaker, registry.GetOrAdd("fraud")) });
        await app.StartAsync(TestContext.Current.CancellationToken);
        using var http = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()) };

        var tripped = await http.PostAsync("/fraud/fail", null, TestContext.Current.CancellationToken);
        var seen = await http.GetFromJsonAsync<CallerView>("/fraud/caller", TestContext.Current.CancellationToken);

        Assert.Equal("Open", await tripped.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(new CallerView("fraud", "Open", true), seen);
        Assert.Equal(BreakerState.Open, app.Services.GetRequiredService<CircuitBreakerRegistry>().GetOrAdd("fraud").State);
        await app.StopAsync(TestContext.Current.CancellationToken);
    }

    private sealed record CallerView(string Name, string State, bool Same);
}
