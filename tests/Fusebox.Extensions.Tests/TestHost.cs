using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Extensions.Tests;

/// <summary>A real generic host with in-memory configuration, a fake clock and a fake (collecting) logger.</summary>
internal sealed class TestHost : IAsyncDisposable
{
    private TestHost(IHost host, IConfigurationRoot configuration, FakeTimeProvider time)
    {
        Host = host;
        Configuration = configuration;
        Time = time;
    }

    public IHost Host { get; }

    public IConfigurationRoot Configuration { get; }

    public FakeTimeProvider Time { get; }

    public IServiceProvider Services => Host.Services;

    public CircuitBreakerRegistry Registry => Services.GetRequiredService<CircuitBreakerRegistry>();

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    public static TestHost Build(IDictionary<string, string?> settings, Action<IServiceCollection, IConfiguration>? configure = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var time = new FakeTimeProvider();
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddFakeLogging(o => o.CollectRecordsForDisabledLogLevels = false);
        builder.Services.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug));
        if (configure is null)
        {
            builder.Services.AddFusebox(configuration);
        }
        else
        {
            configure(builder.Services, configuration);
        }

        return new TestHost(builder.Build(), configuration, time);
    }

    public static async Task<TestHost> StartAsync(IDictionary<string, string?> settings, Action<IServiceCollection, IConfiguration>? configure = null)
    {
        var host = Build(settings, configure);
        await host.Host.StartAsync();
        return host;
    }

    /// <summary>Changes configuration values and raises the reload, as a changed appsettings.json would.</summary>
    public void Reload(IDictionary<string, string?> changes)
    {
        foreach (var (key, value) in changes)
        {
            Configuration[key] = value;
        }

        Configuration.Reload();
    }

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync();
        Host.Dispose();
    }
}

internal static class BreakerTestExtensions
{
    public static void FailTimes(this CircuitBreaker breaker, int n)
    {
        for (int i = 0; i < n; i++)
        {
            Assert.True(breaker.TryAcquire(out var permit));
            permit.RecordFailure();
        }
    }
}
