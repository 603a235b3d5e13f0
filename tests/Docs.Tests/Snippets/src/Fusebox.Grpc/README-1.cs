// snippet:start
using Fusebox.Extensions;
using Fusebox.Grpc;
// snippet:end
using Docs.Tests.Scaffold;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection; // implicit in an ASP.NET Core app (Microsoft.NET.Sdk.Web)

namespace Docs.Tests.Snippets.Packages;

/// <summary>src/Fusebox.Grpc/README.md: the package README of Fusebox.Grpc.</summary>
public sealed class GrpcPackage : WebAppScaffold
{
    public void Run()
    {
        // snippet:start
        builder.Services.AddFusebox(builder.Configuration);            // breaker options from Fusebox:Breakers:fraud
        builder.Services.AddGrpcClient<Fraud.FraudClient>("fraud", o => o.Address = new Uri("http://fraud-service"))
            .AddFuseboxInterceptor(o => o.Scope = GrpcBreakerScope.PerService);
        // snippet:end
    }
}

/// <summary>Stands in for the client Grpc.Tools generates from a fraud.proto (a client is all the snippet needs).</summary>
public static class Fraud
{
    public sealed class FraudClient : ClientBase<FraudClient>
    {
        public FraudClient(CallInvoker callInvoker) : base(callInvoker)
        {
        }

        private FraudClient(ClientBaseConfiguration configuration) : base(configuration)
        {
        }

        protected override FraudClient NewInstance(ClientBaseConfiguration configuration) => new(configuration);
    }
}
