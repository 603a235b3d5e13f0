using Fusebox.Grpc.Tests.Protos;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Grpc.Tests;

/// <summary>The call kinds, each made as a caller normally would: to the end.</summary>
public enum CallKind
{
    Blocking,
    Unary,
    ServerStreaming,
    ClientStreaming,
    Duplex,
}

/// <summary>A real server, a real channel to it through the interceptor, and a registry on fake time.</summary>
public sealed class ClientHarness : IAsyncDisposable
{
    public const string ProbeBreakerName = "grpc/fusebox.test.Probe";

    private ClientHarness(ProbeServer server, CircuitBreakerRegistry registry, FakeTimeProvider time, FuseboxGrpcInterceptor interceptor, GrpcChannel channel)
    {
        Server = server;
        Registry = registry;
        Time = time;
        Interceptor = interceptor;
        Channel = channel;
        var invoker = channel.Intercept(interceptor);
        Probe = new Probe.ProbeClient(invoker);
        Other = new Other.OtherClient(invoker);
    }

    public ProbeServer Server { get; }

    public ProbeScript Script => Server.Script;

    public CircuitBreakerRegistry Registry { get; }

    public FakeTimeProvider Time { get; }

    public FuseboxGrpcInterceptor Interceptor { get; }

    public GrpcChannel Channel { get; }

    public Probe.ProbeClient Probe { get; }

    public Other.OtherClient Other { get; }

    /// <summary>The breaker of the Probe service (per-service scope).</summary>
    public CircuitBreaker ProbeBreaker => Registry.GetOrAdd(ProbeBreakerName);

    /// <summary>Three consecutive failures open the breaker for 30 s; one probe at a time, one success closes it.</summary>
    public static CircuitBreakerOptions DefaultBreakerOptions() => new()
    {
        TripPolicy = TripPolicy.ConsecutiveFailures(3),
        BreakDuration = TimeSpan.FromSeconds(30),
        HalfOpenPermits = 1,
        SuccessesToClose = 1,
    };

    public static async Task<ClientHarness> StartAsync(
        Action<FuseboxGrpcInterceptorOptions>? configure = null, int? maxBreakers = null, GrpcChannelOptions? channelOptions = null)
    {
        var server = await ProbeServer.StartAsync();
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var registry = new CircuitBreakerRegistry(new CircuitBreakerRegistryOptions { DefaultOptions = DefaultBreakerOptions(), MaxBreakers = maxBreakers }, time);
        var options = new FuseboxGrpcInterceptorOptions();
        configure?.Invoke(options);
        var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{server.Address.Port}", channelOptions ?? new GrpcChannelOptions());
        return new ClientHarness(server, registry, time, new FuseboxGrpcInterceptor(registry, options), channel);
    }

    /// <summary>Makes one complete call of <paramref name="kind"/> (streams read and written to their end).</summary>
    public async Task<int> CallAsync(CallKind kind, CancellationToken cancellationToken = default)
    {
        var options = new CallOptions(cancellationToken: cancellationToken);
        switch (kind)
        {
            case CallKind.Blocking:
                return await Task.Run(() => Probe.Unary(new Ping { Count = 7 }, options).Value, CancellationToken.None);
            case CallKind.Unary:
                return (await Probe.UnaryAsync(new Ping { Count = 7 }, options)).Value;
            case CallKind.ServerStreaming:
            {
                using var call = Probe.ServerStream(new Ping { Count = 2 }, options);
                int read = 0;
                await foreach (var _ in call.ResponseStream.ReadAllAsync(CancellationToken.None))
                {
                    read++;
                }

                return read;
            }

            case CallKind.ClientStreaming:
            {
                using var call = Probe.ClientStream(options);
                await call.RequestStream.WriteAsync(new Ping { Count = 3 }, CancellationToken.None);
                await call.RequestStream.WriteAsync(new Ping { Count = 4 }, CancellationToken.None);
                await call.RequestStream.CompleteAsync();
                return (await call.ResponseAsync).Value;
            }

            case CallKind.Duplex:
            {
                using var call = Probe.Duplex(options);
                await call.RequestStream.WriteAsync(new Ping { Count = 3 }, CancellationToken.None);
                await call.RequestStream.WriteAsync(new Ping { Count = 4 }, CancellationToken.None);
                await call.RequestStream.CompleteAsync();
                int sum = 0;
                await foreach (var pong in call.ResponseStream.ReadAllAsync(CancellationToken.None))
                {
                    sum += pong.Value;
                }

                return sum;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <summary>Opens the Probe breaker: three calls of <paramref name="kind"/> against an unavailable service.</summary>
    public async Task OpenAsync(CallKind kind = CallKind.Unary)
    {
        Script.FailWith = StatusCode.Unavailable;
        for (int i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<RpcException>(() => CallAsync(kind));
        }

        Script.FailWith = StatusCode.OK;
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        Registry.Dispose();
        await Server.DisposeAsync();
    }
}
