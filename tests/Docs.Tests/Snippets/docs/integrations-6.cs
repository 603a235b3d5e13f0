using Docs.Tests.Scaffold;
using Fusebox;
using Fusebox.Extensions;
using Microsoft.AspNetCore.Builder; // implicit in an ASP.NET Core app (Microsoft.NET.Sdk.Web)
using Microsoft.Extensions.DependencyInjection; // implicit as well

namespace Docs.Tests.Snippets.Integrations;

/// <summary>docs/integrations.md: a named resilient caller as a keyed service.</summary>
public sealed class KeyedServices : WebAppScaffold
{
    public void Run()
    {
        // snippet:start
        builder.Services.AddFusebox(builder.Configuration).ConfigureCaller("fraud", o => o.Retry.MaxAttempts = 2);
        app.MapPost("/pay", ([FromKeyedServices("fraud")] ResilientCaller fraud) => fraud.Breaker.State.ToString());
        // snippet:end
    }
}
