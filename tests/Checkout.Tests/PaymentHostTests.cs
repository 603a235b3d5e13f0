using System.Net;
using Checkout.Admin;
using Checkout.Fraud;
using Checkout.Scenario;

namespace Checkout.Tests;

public class PaymentHostTests
{
    [Fact]
    public async Task Metrics_are_exported_for_prometheus_and_the_dashboard_is_served()
    {
        await using var fraud = await FraudSimulator.StartAsync(new PhaseSchedule(TimeSpan.FromMinutes(10)), TimeSpan.FromSeconds(1));
        fraud.Start();
        await using var host = await PaymentHost.StartAsync(fraud.BaseAddress, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20), port: 0);
        using var admin = new HttpClient { BaseAddress = host.Address };
        var client = host.FraudClient;
        for (int i = 0; i < 5; i++)
        {
            using var response = await client.GetAsync($"check/tx-{i}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        string metrics = await admin.GetStringAsync("/metrics");
        string dashboard = await admin.GetStringAsync("/fusebox");

        Assert.Contains("fusebox_calls_total{", metrics, StringComparison.Ordinal);
        Assert.Contains("fusebox_breaker=\"fraud/", metrics, StringComparison.Ordinal);
        Assert.Contains("fusebox_outcome=\"success\"", metrics, StringComparison.Ordinal);
        Assert.Contains("fusebox_state", metrics, StringComparison.Ordinal);
        Assert.Contains("<title>Checkout — Fusebox</title>", dashboard, StringComparison.Ordinal);
        Assert.Equal(5, fraud.Calls);
    }
}
