// snippet:start
using Fusebox.Extensions;                                      // AddFusebox and AddRedisState
// snippet:end
using Docs.Tests.Scaffold;
using Microsoft.Extensions.DependencyInjection; // implicit in an ASP.NET Core app (Microsoft.NET.Sdk.Web)

namespace Docs.Tests.Snippets.Packages;

/// <summary>src/Fusebox.Redis/README.md: the package README of Fusebox.Redis.</summary>
public sealed class RedisPackage : WebAppScaffold
{
    public void Run()
    {
        // snippet:start
        builder.Services.AddFusebox(builder.Configuration)
            .AddRedisState("localhost:6379");                         // a StackExchange.Redis connection string
        // snippet:end
    }
}
