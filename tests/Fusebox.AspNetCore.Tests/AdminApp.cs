using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Fusebox.Extensions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fusebox.AspNetCore.Tests;

/// <summary>A minimal API application that maps the Fusebox endpoints, on TestServer or on real Kestrel (127.0.0.1).
/// Users authenticate with the header or cookie <c>user</c>; "alice" is in the "ops" role that the control policy requires.</summary>
internal sealed class AdminApp : IAsyncDisposable
{
    private AdminApp(WebApplication app, HttpClient client, Uri baseAddress)
    {
        App = app;
        Client = client;
        BaseAddress = baseAddress;
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public Uri BaseAddress { get; }

    public CircuitBreakerRegistry Registry => App.Services.GetRequiredService<CircuitBreakerRegistry>();

    public Microsoft.Extensions.Logging.Testing.FakeLogCollector Logs => App.Services.GetFakeLogCollector();

    public static async Task<AdminApp> StartAsync(bool kestrel = false, string? controlPolicy = "ops", Action<RouteGroupBuilderHolder>? map = null,
        TimeSpan? snapshotInterval = null, TimeProvider? time = null, Action<FuseboxEndpointOptions>? configure = null, Action<FuseboxOptions>? fusebox = null,
        string? contentRoot = null)
    {
        // With a content root, the application's own appsettings.json there (reloaded on change) configures Fusebox.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = contentRoot });
        if (kestrel)
        {
            builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        }
        else
        {
            builder.WebHost.UseTestServer();
        }

        builder.Logging.ClearProviders();
        builder.Services.AddFakeLogging();
        if (time is not null)
        {
            builder.Services.AddSingleton(time); // the breakers, the event stream's timer and the refusal log's clock
        }

        if (contentRoot is null)
        {
            builder.Services.AddFusebox(fusebox);
        }
        else
        {
            builder.Services.AddFusebox(builder.Configuration);
        }

        builder.Services.AddAuthentication("test").AddScheme<AuthenticationSchemeOptions, TestUserHandler>("test", null);
        builder.Services.AddAuthorization(o => o.AddPolicy("ops", p => p.RequireAuthenticatedUser().RequireRole("ops")));
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        var group = app.MapFusebox("/fusebox", o =>
        {
            o.ControlPolicy = controlPolicy;
            o.SnapshotInterval = snapshotInterval ?? TimeSpan.FromSeconds(1);
            o.Title = "Checkout <ops>";
            configure?.Invoke(o);
        });
        map?.Invoke(new RouteGroupBuilderHolder(group));
        await app.StartAsync();

        if (kestrel)
        {
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            return new AdminApp(app, new HttpClient { BaseAddress = address }, address);
        }

        var client = app.GetTestClient();
        return new AdminApp(app, client, client.BaseAddress!);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>Lets a test add filters to the mapped group.</summary>
internal sealed record RouteGroupBuilderHolder(RouteGroupBuilder Group);

/// <summary>Authenticates the user named by the <c>user</c> header or cookie; alice has the ops role.</summary>
internal sealed class TestUserHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? user = Request.Headers["user"].FirstOrDefault() ?? Request.Cookies["user"];
        if (string.IsNullOrEmpty(user))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var claims = new List<Claim> { new(ClaimTypes.Name, user) };
        if (user == "alice")
        {
            claims.Add(new Claim(ClaimTypes.Role, "ops"));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, "test"));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, "test")));
    }
}
