using Fusebox.Extensions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Http.Resilience;

namespace Fusebox.Http.Tests;

/// <summary>
/// An Aspire-style host: its ServiceDefaults put <c>AddStandardResilienceHandler()</c> on every client through
/// <c>ConfigureHttpClientDefaults</c>. Fusebox either replaces it (<c>RemoveAllResilienceHandlers()</c>, for one client
/// or all) or goes inside it.
/// </summary>
public class CoexistenceTests : OneServerTests
{
    private Uri Url => new(Server.BaseAddress, "check");

    private static readonly Dictionary<string, string?> TripAfterTwo = new()
    {
        ["Fusebox:Defaults:TripPolicy"] = "ConsecutiveFailures",
        ["Fusebox:Defaults:FailureThreshold"] = "2",
    };

    /// <summary>What Aspire's ServiceDefaults do, with the standard retry's delay made zero so no test waits on it.</summary>
    private static void AddServiceDefaults(IServiceCollection services) =>
        services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler(o => o.Retry.Delay = TimeSpan.Zero));

    [Fact]
    public async Task One_client_replaces_the_standard_handler_with_Fuseboxs()
    {
        using var fixture = new ClientFixture(TripAfterTwo, services =>
        {
            AddServiceDefaults(services);
            services.AddHttpClient("fraud")
                .RemoveAllResilienceHandlers()
                .AddFuseboxStandardHandler(o => o.Retry.MaxAttempts = 1);
        });
        Server.Behavior = Behavior.ServerError;

        for (int i = 0; i < 2; i++)
        {
            using var _ = await fixture.ClientNamed("fraud").GetAsync(Url);
        }

        await Assert.ThrowsAsync<CircuitOpenException>(() => fixture.ClientNamed("fraud").GetAsync(Url));
        Assert.Equal(2, Server.Requests); // no Polly retries left in the chain, and the open breaker sent nothing
        Assert.Equal(["FuseboxHttpHandler"], HandlerChain(fixture, "fraud"));
        Assert.Equal(["ResilienceHandler"], HandlerChain(fixture, "other")); // every other client keeps the standard handler
    }

    [Fact]
    public async Task Every_client_replaces_the_standard_handler_from_the_defaults()
    {
        using var fixture = new ClientFixture(TripAfterTwo, services =>
        {
            AddServiceDefaults(services);
            services.ConfigureHttpClientDefaults(http => http.RemoveAllResilienceHandlers().AddFuseboxStandardHandler(o => o.Retry.MaxAttempts = 1));
        });
        Server.Behavior = Behavior.ServerError;

        for (int i = 0; i < 2; i++)
        {
            using var _ = await fixture.ClientNamed("fraud").GetAsync(Url);
        }

        await Assert.ThrowsAsync<CircuitOpenException>(() => fixture.ClientNamed("ledger").GetAsync(Url));
        Assert.Equal(2, Server.Requests);
        Assert.Equal(["FuseboxHttpHandler"], HandlerChain(fixture, "ledger"));
    }

    [Fact]
    public async Task Stacked_inside_the_standard_handler_Fusebox_sees_every_attempt_and_Polly_does_not_retry_its_rejection()
    {
        using var fixture = new ClientFixture(TripAfterTwo, services =>
        {
            AddServiceDefaults(services);
            services.AddHttpClient("fraud").AddFuseboxHandler();
        });
        Server.Behavior = Behavior.ServerError;

        // Polly's retry sends the request, retries it, and meets the breaker Fusebox opened on the second 500.
        await Assert.ThrowsAsync<CircuitOpenException>(() => fixture.ClientNamed("fraud").GetAsync(Url));
        await Assert.ThrowsAsync<CircuitOpenException>(() => fixture.ClientNamed("fraud").GetAsync(Url));

        Assert.Equal(2, Server.Requests);
        Assert.Equal(["ResilienceHandler", "FuseboxHttpHandler"], HandlerChain(fixture, "fraud"));
    }

    [Fact]
    public async Task A_host_with_contradicting_standard_options_does_not_start()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddFusebox(builder.Configuration);
        AddServiceDefaults(builder.Services);
        builder.Services.ConfigureHttpClientDefaults(http => http.RemoveAllResilienceHandlers()
            .AddFuseboxStandardHandler(o => o.AttemptTimeout = TimeSpan.FromSeconds(40)));
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("FuseboxStandardHandlerOptions.TotalTimeout (00:00:30) must be at least FuseboxStandardHandlerOptions.AttemptTimeout (00:00:40)", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>The delegating handlers of a client, outermost first, by type name (the factory's own bookkeeping skipped).</summary>
    private static string[] HandlerChain(ClientFixture fixture, string client)
    {
        var names = new List<string>();
        var handler = fixture.Services.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(client);
        while (handler is DelegatingHandler delegating)
        {
            string name = delegating.GetType().Name;
            if (!name.Contains("LoggingHttpMessageHandler", StringComparison.Ordinal) && !name.Contains("LifetimeTracking", StringComparison.Ordinal)
                && !name.Contains("Logging", StringComparison.Ordinal))
            {
                names.Add(name);
            }

            handler = delegating.InnerHandler;
        }

        return names.ToArray();
    }
}
