// snippet:start
using Fusebox.Extensions;   // AddFusebox, AddRedisState, AddFuseboxRedisHealthCheck
using Fusebox.Redis;        // SharingMode
// snippet:end
using Docs.Tests.Scaffold;
using Microsoft.Extensions.DependencyInjection; // implicit in an ASP.NET Core app (Microsoft.NET.Sdk.Web)

namespace Docs.Tests.Snippets.Distributed;

/// <summary>docs/distributed.md: sharing every registry breaker through Redis.</summary>
public sealed class RedisRegistration : WebAppScaffold
{
    public void Run()
    {
        // snippet:start
        builder.Services.AddFusebox(builder.Configuration)
            .AddRedisState("redis:6379", o =>
            {
                o.KeyPrefix = "checkout:prod";      // one per service and environment: the sharing scope
                o.Mode = SharingMode.Quorum;        // default; Any or Local
            });
        builder.Services.AddHealthChecks().AddFuseboxHealthCheck().AddFuseboxRedisHealthCheck();
        // snippet:end
    }
}
