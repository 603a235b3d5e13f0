// snippet:start
using OpenTelemetry.Metrics;   // packages OpenTelemetry.Extensions.Hosting, OpenTelemetry.Exporter.Prometheus.AspNetCore
// snippet:end
using Docs.Tests.Scaffold;
using Microsoft.AspNetCore.Builder; // implicit in an ASP.NET Core app (Microsoft.NET.Sdk.Web)
using Microsoft.Extensions.DependencyInjection; // implicit as well

namespace Docs.Tests.Snippets.Operating;

/// <summary>docs/operating.md: exporting the Fusebox meter with OpenTelemetry.</summary>
public sealed class PrometheusExport : WebAppScaffold
{
    public void Run()
    {
        // snippet:start
        builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddMeter("Fusebox").AddPrometheusExporter());
        app.MapPrometheusScrapingEndpoint("/metrics");
        // snippet:end
    }
}
