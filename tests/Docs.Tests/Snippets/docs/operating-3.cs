// snippet:start
using OpenTelemetry.Trace;   // package OpenTelemetry.Extensions.Hosting, plus your exporter
// snippet:end
using Docs.Tests.Scaffold;
using Microsoft.Extensions.DependencyInjection; // implicit in an ASP.NET Core app (Microsoft.NET.Sdk.Web)

namespace Docs.Tests.Snippets.Operating;

/// <summary>docs/operating.md: subscribing to the Fusebox activity source with OpenTelemetry.</summary>
public sealed class TracingSubscription : WebAppScaffold
{
    public void Run()
    {
        // snippet:start
        builder.Services.AddOpenTelemetry().WithTracing(t => t
            .AddSource("Fusebox")    // Fusebox's events on your spans
            .AddSource("Checkout")); // your own spans (and your instrumentation and exporter)
        // snippet:end
    }
}
