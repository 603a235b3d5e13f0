using System.Reflection;
using Fusebox.Tests.Shared;

namespace Docs.Tests.Api;

/// <summary>The integration packages' public types, checked like the core's (tests/Shared/PollyNameTests.cs): this
/// project references all of them and Polly.Core already, for the docs that show Polly next to Fusebox.</summary>
public class PollyNameTests : PollyNameTestsBase
{
    protected override IEnumerable<Assembly> FuseboxAssemblies =>
    [
        typeof(Fusebox.Extensions.FuseboxOptions).Assembly,
        typeof(Fusebox.Http.FuseboxHttpHandler).Assembly,
        typeof(Fusebox.AspNetCore.FuseboxEndpointOptions).Assembly,
        typeof(Fusebox.Redis.RedisStateOptions).Assembly,
        typeof(Fusebox.Grpc.FuseboxGrpcInterceptor).Assembly,
        typeof(Fusebox.Polly.FuseboxStrategyOptions).Assembly,
        typeof(Fusebox.Replay.WhatIfReplay).Assembly, // tools/Fusebox.Replay: public API too, though not a package
    ];
}
