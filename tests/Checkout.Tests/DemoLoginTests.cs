using System.Net;
using Checkout.Admin;
using Checkout.Fraud;
using Checkout.Scenario;
using Fusebox;

namespace Checkout.Tests;

/// <summary>The dashboard's control buttons, against the payment host on real Kestrel (127.0.0.1), the way the page calls them.</summary>
public class DemoLoginTests
{
    private static async Task<(FraudSimulator Fraud, PaymentHost Host, string Breaker)> StartAsync(bool demoLogin)
    {
        var fraud = await FraudSimulator.StartAsync(new PhaseSchedule(TimeSpan.FromMinutes(10)), TimeSpan.FromSeconds(1));
        fraud.Start();
        var host = await PaymentHost.StartAsync(fraud.BaseAddress, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20), port: 0, demoLogin: demoLogin);
        using var _ = await host.FraudClient.GetAsync("check/tx-1", TestContext.Current.CancellationToken); // creates the breaker
        return (fraud, host, host.Registry.Breakers.Single().Name);
    }

    /// <summary>What the dashboard's script sends: the control header, from its own origin, with its cookies.</summary>
    private static Task<HttpResponseMessage> IsolateAsync(HttpClient browser, string breaker)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/fusebox/api/breakers/{Uri.EscapeDataString(breaker)}/isolate");
        request.Headers.Add("X-Fusebox-Control", "1");
        request.Headers.Add("Sec-Fetch-Site", "same-origin");
        return browser.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static HttpClient Browser(PaymentHost host) =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = host.Address };

    [Fact]
    public async Task Control_is_refused_before_the_demo_login_and_works_after_it()
    {
        var (fraud, host, breaker) = await StartAsync(demoLogin: true);
        await using var _ = fraud;
        await using var __ = host;
        using var browser = Browser(host);

        using var anonymous = await IsolateAsync(browser, breaker);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(BreakerState.Closed, host.Registry.Breakers.Single().State);

        using var login = await browser.GetAsync(DemoOperatorLogin.Path, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal(PaymentHost.DashboardPath, login.Headers.Location?.OriginalString);

        using var signedIn = await IsolateAsync(browser, breaker);
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        Assert.Equal(BreakerState.Isolated, host.Registry.Breakers.Single().State);
        Assert.Contains(DemoOperatorLogin.OperatorName, host.Registry.Report().Single().LastReasonDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_the_interactive_mode_there_is_no_demo_login_and_control_stays_refused()
    {
        var (fraud, host, breaker) = await StartAsync(demoLogin: false);
        await using var _ = fraud;
        await using var __ = host;
        using var browser = Browser(host);

        using var login = await browser.GetAsync(DemoOperatorLogin.Path, TestContext.Current.CancellationToken);
        using var isolate = await IsolateAsync(browser, breaker);

        Assert.Equal(HttpStatusCode.NotFound, login.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, isolate.StatusCode);
        Assert.Equal(BreakerState.Closed, host.Registry.Breakers.Single().State);
    }
}
