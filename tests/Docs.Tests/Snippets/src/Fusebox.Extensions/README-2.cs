using Docs.Tests.Scaffold;
using Fusebox;
using Fusebox.Extensions;
using Microsoft.AspNetCore.Builder; // implicit in an ASP.NET Core app (Microsoft.NET.Sdk.Web)
using Microsoft.Extensions.DependencyInjection; // implicit as well

namespace Docs.Tests.Snippets.Packages;

/// <summary>src/Fusebox.Extensions/README.md: breakers and callers as keyed services.</summary>
public sealed class ExtensionsKeyedServices : WebAppScaffold
{
    public void Run()
    {
        // snippet:start
        builder.Services.AddFusebox(builder.Configuration)
            .ConfigureCaller("fraud", o => o.Retry.MaxAttempts = 2);  // validated on start

        app.MapPost("/checkout", ([FromKeyedServices("fraud")] ResilientCaller fraud) => fraud.Breaker.State.ToString());
        // snippet:end
    }
}
