using System.Diagnostics;
using Fusebox.Tests.Support;
using OpenTelemetry;
using OpenTelemetry.Trace;
using static Fusebox.FuseboxTracing;

namespace Fusebox.Tests.Tracing;

/// <summary>Through the real OpenTelemetry SDK: <c>AddSource("Fusebox")</c> is the whole set-up, and the events reach
/// the exporter on the application's span.</summary>
[Collection(nameof(TracingCollection))]
public class OpenTelemetryExportTests
{
    [Fact]
    public void Subscribing_to_the_Fusebox_source_exports_the_events_on_the_applications_span()
    {
        var exported = new List<Activity>();
        using (var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(TracingListener.AppSourceName)
            .AddSource(SourceName)
            .AddInMemoryExporter(exported)
            .Build())
        {
            var (breaker, _) = TestBreakers.Create(name: "fraud");
            using (TracingListener.StartCall("checkout"))
            {
                breaker.Trip();
                Assert.True(breaker.TryExecute(static _ => 1).IsRejected);
            }

            tracing.ForceFlush();
        }

        var span = Assert.Single(exported);
        Assert.Equal("checkout", span.DisplayName);
        Assert.Equal([StateChangeEventName, RejectedEventName], span.Events.Select(e => e.Name));
        Assert.All(span.Events, e => Assert.Equal("fraud", e.Tag(BreakerNameTag)));
    }

    [Fact]
    public void Without_AddSource_Fusebox_the_applications_span_is_exported_without_Fusebox_events()
    {
        var exported = new List<Activity>();
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource(TracingListener.AppSourceName).AddInMemoryExporter(exported).Build())
        {
            var (breaker, _) = TestBreakers.Create(name: "fraud");
            using (TracingListener.StartCall("checkout"))
            {
                breaker.Trip();
                Assert.True(breaker.TryExecute(static _ => 1).IsRejected);
            }

            tracing.ForceFlush();
        }

        Assert.Empty(Assert.Single(exported).Events);
    }
}
