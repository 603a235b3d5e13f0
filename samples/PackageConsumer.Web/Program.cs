// An ASP.NET Core app as a team would write it, on the packed packages: DI from configuration, a named HttpClient
// through the Fusebox handler (over a stub inner handler: no network), the admin API mapped, all served by Kestrel on
// 127.0.0.1. It calls itself, checks the breaker opened and the admin API reports it, prints
// "package-check (web): ok" and exits 0; eng/package-check.sh runs it.
using System.Net;
using Fusebox;
using Fusebox.AspNetCore;
using Fusebox.Extensions;
using Fusebox.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Logging.ClearProviders();
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Fusebox:Defaults:FailureThreshold"] = "2" });
builder.Services.AddFusebox(builder.Configuration);
builder.Services.AddHttpClient("catalog", c => c.BaseAddress = new Uri("http://catalog.test"))
    .ConfigurePrimaryHttpMessageHandler(() => new AlwaysFailing())
    .AddFuseboxHandler(o => o.WhenOpen = RejectionBehavior.Return503);

var app = builder.Build();
app.MapFusebox("/fusebox");
app.MapGet("/items", async (IHttpClientFactory clients) =>
{
    using var response = await clients.CreateClient("catalog").GetAsync("/items");
    return Results.StatusCode((int)response.StatusCode);
});
await app.StartAsync();

try
{
    var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    using var http = new HttpClient { BaseAddress = new Uri(address) };
    var statuses = new List<HttpStatusCode>();
    for (int i = 0; i < 3; i++)
    {
        statuses.Add((await http.GetAsync("/items")).StatusCode);
    }

    string breakers = await http.GetStringAsync("/fusebox/api/breakers");
    var registry = app.Services.GetRequiredService<CircuitBreakerRegistry>();
    if (registry.Breakers.Count != 1 || registry.Breakers[0].State != BreakerState.Open || !breakers.Contains("catalog.test", StringComparison.Ordinal))
    {
        Console.Error.WriteLine($"package-check (web): FAILED: statuses {string.Join(", ", statuses)}; admin API: {breakers}");
        return 1;
    }

    Console.WriteLine("package-check (web): ok");
    return 0;
}
finally
{
    await app.StopAsync();
}

sealed class AlwaysFailing : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
}
