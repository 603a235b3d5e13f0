using Fusebox.Grpc.Tests.Protos;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Grpc.Tests;

/// <summary>AddGrpcClient&lt;T&gt;().AddFuseboxInterceptor() with a real container and a real server.</summary>
public sealed class ClientFactoryTests
{
    [Fact]
    public async Task A_factory_client_runs_through_breakers_of_the_containers_registry()
    {
        await using var server = await ProbeServer.StartAsync();
        using var registry = new CircuitBreakerRegistry(new CircuitBreakerRegistryOptions { DefaultOptions = ClientHarness.DefaultBreakerOptions() }, new FakeTimeProvider());
        var services = new ServiceCollection();
        services.AddSingleton(registry);
        services.AddGrpcClient<Probe.ProbeClient>("fraud", o => o.Address = new Uri($"http://127.0.0.1:{server.Address.Port}"))
            .AddFuseboxInterceptor();
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<global::Grpc.Net.ClientFactory.GrpcClientFactory>().CreateClient<Probe.ProbeClient>("fraud");
        server.Script.FailWith = StatusCode.Unavailable;

        for (int i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(new Ping()).ResponseAsync);
        }

        var rejection = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(new Ping()).ResponseAsync);
        Assert.True(FuseboxGrpcRejection.IsRejection(rejection, out var name, out _));
        Assert.Equal("fraud/fusebox.test.Probe", name); // the client's name is the prefix
        Assert.Equal(3, server.Script.TotalCalls);
    }

    [Fact]
    public async Task The_type_named_client_uses_its_name_and_BreakerName_overrides_it()
    {
        await using var server = await ProbeServer.StartAsync();
        using var registry = new CircuitBreakerRegistry();
        var services = new ServiceCollection();
        services.AddSingleton(registry);
        var builder = services.AddGrpcClient<Probe.ProbeClient>(o => o.Address = new Uri($"http://127.0.0.1:{server.Address.Port}"));
        builder.AddFuseboxInterceptor();
        services.AddGrpcClient<Other.OtherClient>(o => o.Address = new Uri($"http://127.0.0.1:{server.Address.Port}"))
            .AddFuseboxInterceptor(o => o.BreakerName = "other");
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<Probe.ProbeClient>().UnaryAsync(new Ping());
        await provider.GetRequiredService<Other.OtherClient>().UnaryAsync(new Ping());

        Assert.Equal([$"{builder.Name}/fusebox.test.Probe", "other/fusebox.test.Other"], registry.Report().Select(s => s.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Without_a_registry_resolving_the_client_says_what_to_register()
    {
        var services = new ServiceCollection();
        services.AddGrpcClient<Probe.ProbeClient>(o => o.Address = new Uri("http://127.0.0.1:1")).AddFuseboxInterceptor();
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<Probe.ProbeClient>());

        Assert.Contains("no CircuitBreakerRegistry is registered", error.Message, StringComparison.Ordinal);
        Assert.Contains("services.AddFusebox()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_options_fail_when_the_client_is_added()
    {
        var builder = new ServiceCollection().AddGrpcClient<Probe.ProbeClient>();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddFuseboxInterceptor(o => o.FailureStatusCodes.Add(StatusCode.OK)));

        Assert.Equal("FailureStatusCodes", error.ParamName);
    }
}
