using Docs.Tests.Scaffold;
using Docs.Tests.Snippets.Packages;
using Fusebox.Extensions;
using Fusebox.Grpc;
using Microsoft.Extensions.DependencyInjection; // implicit in an ASP.NET Core app (Microsoft.NET.Sdk.Web)

namespace Docs.Tests.Snippets.Integrations;

/// <summary>docs/integrations.md: a gRPC client with the interceptor, one breaker per service.</summary>
public sealed class GrpcClient : WebAppScaffold
{
    public void Run()
    {
        // snippet:start
        builder.Services.AddFusebox(builder.Configuration);
        builder.Services.AddGrpcClient<Fraud.FraudClient>("fraud", o => o.Address = new Uri("http://fraud-service"))
            .AddFuseboxInterceptor(o => o.Scope = GrpcBreakerScope.PerService);
        // snippet:end
    }
}
