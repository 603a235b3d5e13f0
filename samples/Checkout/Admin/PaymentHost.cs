using System.Net;
using Checkout.Scenario;
using Fusebox;
using Fusebox.AspNetCore;
using Fusebox.Extensions;
using Fusebox.Http;
using Fusebox.Redis;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using OpenTelemetry.Metrics;

namespace Checkout.Admin;

/// <summary>
/// The payment service's host on 127.0.0.1: its <c>IHttpClientFactory</c> client "fraud" runs through the Fusebox
/// handler, and it serves the Fusebox dashboard at /fusebox and Prometheus metrics at /metrics. The dashboard's
/// control buttons require the demo operator of <see cref="DemoOperatorLogin"/> (demo only).
/// </summary>
public sealed class PaymentHost : IAsyncDisposable
{
    private PaymentHost(WebApplication app, Uri address)
    {
        App = app;
        Address = address;
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    public CircuitBreakerRegistry Registry => App.Services.GetRequiredService<CircuitBreakerRegistry>();

    /// <summary>The Redis coordinator when the breakers are shared, else null.</summary>
    public RedisStateCoordinator? Shared => App.Services.GetService<RedisStateCoordinator>();

    /// <summary>Where the dashboard and the admin API are mapped.</summary>
    public const string DashboardPath = "/fusebox";

    /// <summary>The request header naming the calling replica.</summary>
    public const string ReplicaHeader = "X-Replica";

    public HttpClient FraudClient => App.Services.GetRequiredService<IHttpClientFactory>().CreateClient("fraud");

    /// <param name="fraudService">Where the fraud service listens.</param>
    /// <param name="timeout">The per-request timeout of a fraud check.</param>
    /// <param name="breakDuration">How long the breaker stays open at first.</param>
    /// <param name="maxBreakDuration">The longest break, reached by doubling on each failed probe.</param>
    /// <param name="port">0 for an ephemeral port.</param>
    /// <param name="replica">This replica's name, sent to the fraud service as <c>X-Replica</c> so it can count calls per replica.</param>
    /// <param name="shared">Share the breakers with other replicas through Redis; null to keep them local.</param>
    /// <param name="demoLogin">Map the demo-only <see cref="DemoOperatorLogin"/> (the interactive <c>--serve</c> mode only).</param>
    /// <param name="trace">Record every fraud call's outcome as the breaker saw it (<c>--record</c>); null not to.</param>
    public static async Task<PaymentHost> StartAsync(Uri fraudService, TimeSpan timeout, TimeSpan breakDuration, TimeSpan maxBreakDuration, int port,
        string replica = "payment", SharedStateSettings? shared = null, bool demoLogin = false, FraudCallTrace? trace = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        builder.Logging.ClearProviders();
        var fusebox = builder.Services.AddFusebox(o => o.Breakers["fraud"] = new BreakerConfiguration
        {
            TripPolicy = "ConsecutiveFailures",
            FailureThreshold = 5,
            BreakDuration = breakDuration,
            BreakDurationBackoff = 2,
            MaxBreakDuration = maxBreakDuration,
            HalfOpenPermits = 1,
            ProbeTimeout = timeout * 2,
        });
        if (shared is not null)
        {
            fusebox.AddRedisState(shared.Connection, o =>
            {
                o.KeyPrefix = shared.KeyPrefix;
                o.ReplicaId = replica;
                o.Mode = shared.Mode;
                o.StateTimeToLive = TimeSpan.FromHours(1); // a demo's keys should not outlive it by a week
            });
        }

        var fraud = builder.Services.AddHttpClient("fraud", c =>
        {
            c.BaseAddress = fraudService;
            c.DefaultRequestHeaders.Add(ReplicaHeader, replica);
            c.Timeout = timeout * 4; // a backstop only: the Fusebox timeout below fires first and counts as a failure
        });
        if (trace is not null)
        {
            fraud.AddHttpMessageHandler(trace.CreateHandler); // added first, so outside the Fusebox handler: it sees rejections
        }

        fraud.AddFuseboxHandler(o => o.Timeout = timeout);
        if (trace is not null)
        {
            fraud.AddHttpMessageHandler(trace.CreateCompletionHandler); // inside the Fusebox handler: when the breaker records
        }
        builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(FuseboxMetrics.MeterName).AddPrometheusExporter());
        DemoOperatorLogin.AddServices(builder.Services);

        var app = builder.Build();
        app.MapFusebox(DashboardPath, o =>
        {
            o.Title = "Checkout — Fusebox";
            o.ControlPolicy = DemoOperatorLogin.Policy;
        });
        if (demoLogin)
        {
            DemoOperatorLogin.Map(app, DashboardPath);
        }

        app.MapPrometheusScrapingEndpoint("/metrics");
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new PaymentHost(app, address);
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await App.StopAsync(stop.Token);
        await App.DisposeAsync();
    }
}
