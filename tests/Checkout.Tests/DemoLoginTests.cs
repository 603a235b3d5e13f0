using System.Net;
using Checkout.Admin;
using Checkout.Fraud;
using Checkout.Scenario;
using Fusebox;

namespace Checkout.Tests;

/// <summary>The dashboard's control buttons, against the payment host on real Kestrel (127.0.0.1), the way the page calls them.</summary>
public class DemoLoginTests
{
    /// <summary>A fraud simulator, the payment host in front of it with its one breaker, and a browser with a cookie jar.</summary>
    private sealed class DemoHost(FraudSimulator fraud, PaymentHost host) : IAsyncDisposable
    {
        public PaymentHost Host => host;

        public string Breaker => host.Registry.Breakers.Single().Name;

        public BreakerState State => host.Registry.Breakers.Single().State;

        public HttpClient Browser { get; } =
            new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = host.Address };

        public static async Task<DemoHost> StartAsync(bool demoLogin)
        {
            var fraud = await FraudSimulator.StartAsync(new PhaseSchedule(TimeSpan.FromMinutes(10)), TimeSpan.FromSeconds(1));
            fraud.Start();
            var host = await PaymentHost.StartAsync(fraud.BaseAddress, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20), port: 0, demoLogin: demoLogin);
            using var _ = await host.FraudClient.GetAsync("check/tx-1", TestContext.Current.CancellationToken); // creates the breaker
            return new DemoHost(fraud, host);
        }

        public async ValueTask DisposeAsync()
        {
            Browser.Dispose();
            await host.DisposeAsync();
            await fraud.DisposeAsync();
        }
    }

    /// <summary>What the dashboard's script sends: the control header, from its own origin, with its cookies.</summary>
    private static Task<HttpResponseMessage> IsolateAsync(DemoHost demo, string fetchSite = "same-origin")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/fusebox/api/breakers/{Uri.EscapeDataString(demo.Breaker)}/isolate");
        request.Headers.Add("X-Fusebox-Control", "1");
        request.Headers.Add("Sec-Fetch-Site", fetchSite);
        return demo.Browser.SendAsync(request, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Control_is_refused_before_the_demo_login_and_works_after_it()
    {
        await using var demo = await DemoHost.StartAsync(demoLogin: true);

        using var anonymous = await IsolateAsync(demo);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(BreakerState.Closed, demo.State);

        using var login = await demo.Browser.GetAsync(DemoOperatorLogin.Path, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal(PaymentHost.DashboardPath, login.Headers.Location?.OriginalString);

        using var forged = await IsolateAsync(demo, fetchSite: "same-site"); // the login does not lower the cross-site guard
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal(BreakerState.Closed, demo.State);

        using var signedIn = await IsolateAsync(demo);
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        Assert.Equal(BreakerState.Isolated, demo.State);
        Assert.Contains(DemoOperatorLogin.OperatorName, demo.Host.Registry.Report().Single().LastReasonDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_the_interactive_mode_there_is_no_demo_login_and_control_stays_refused()
    {
        await using var demo = await DemoHost.StartAsync(demoLogin: false);

        using var login = await demo.Browser.GetAsync(DemoOperatorLogin.Path, TestContext.Current.CancellationToken);
        using var isolate = await IsolateAsync(demo);

        Assert.Equal(HttpStatusCode.NotFound, login.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, isolate.StatusCode);
        Assert.Equal(BreakerState.Closed, demo.State);
    }
}
