using Docs.Tests.Scaffold;
using Microsoft.Extensions.DependencyInjection; // implicit in an ASP.NET Core app (Microsoft.NET.Sdk.Web)
using OpenTelemetry.Trace;

namespace Docs.Tests.Snippets.Integrations;

/// <summary>docs/integrations.md: Fusebox's span events in OpenTelemetry traces.</summary>
public sealed class Traces : WebAppScaffold
{
    public void Run()
    {
        // snippet:start
        builder.Services.AddOpenTelemetry().WithTracing(t => t.AddSource("Fusebox"));
        // snippet:end
    }
}
