using Fusebox.Extensions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fusebox.Http.Tests;

/// <summary>An <c>IHttpClientFactory</c> client named "fraud" with the Fusebox handler, on a fake breaker clock.</summary>
internal sealed class ClientFixture : IDisposable
{
    private readonly ServiceProvider _services;

    public ClientFixture(Action<FuseboxHttpHandlerOptions>? configure = null, IDictionary<string, string?>? settings = null, Action<HttpClient>? client = null)
        : this(settings, services => services.AddHttpClient("fraud", c => client?.Invoke(c)).AddFuseboxHandler(configure))
    {
    }

    /// <summary>Fusebox from <paramref name="settings"/>, the clients <paramref name="register"/> adds.</summary>
    public ClientFixture(IDictionary<string, string?>? settings, Action<IServiceCollection> register)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddFakeLogging();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug));
        services.AddFusebox(configuration);
        register(services);
        _services = services.BuildServiceProvider();
    }

    public IServiceProvider Services => _services;

    public HttpClient ClientNamed(string name) => _services.GetRequiredService<IHttpClientFactory>().CreateClient(name);

    public TimerRecordingTimeProvider Time { get; } = new();

    public HttpClient Client => _services.GetRequiredService<IHttpClientFactory>().CreateClient("fraud");

    public CircuitBreakerRegistry Registry => _services.GetRequiredService<CircuitBreakerRegistry>();

    public Microsoft.Extensions.Logging.Testing.FakeLogCollector Logs => _services.GetFakeLogCollector();

    public CircuitBreaker BreakerFor(Uri baseAddress) => Registry.GetOrAdd("fraud/" + baseAddress.GetLeftPart(UriPartial.Authority));

    public void Dispose() => _services.Dispose();
}
