using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Extensions.Tests;

/// <summary>
/// A host built the way an application builds one (<see cref="Host.CreateApplicationBuilder(HostApplicationBuilderSettings)"/>),
/// reading <c>appsettings.json</c> from a temporary directory through the file provider with <c>reloadOnChange: true</c>,
/// with a fake clock and a collecting logger.
/// </summary>
internal sealed class JsonFileHost(string directory, IHost host, IConfiguration configuration) : IAsyncDisposable
{
    private static readonly TimeSpan s_reloadTimeout = TimeSpan.FromSeconds(20);

    private int _generation;

    public IHost Host { get; } = host;

    public IConfiguration Configuration { get; } = configuration;

    public IServiceProvider Services => Host.Services;

    public CircuitBreakerRegistry Registry => Services.GetRequiredService<CircuitBreakerRegistry>();

    public FuseboxConfiguration FuseboxConfiguration => Services.GetRequiredService<FuseboxConfiguration>();

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    private string SettingsPath => Path.Combine(directory, "appsettings.json");

    /// <summary>Builds (does not start) a host whose appsettings.json holds <paramref name="fusebox"/> as its
    /// <c>Fusebox</c> section (a JSON object).</summary>
    /// <param name="fusebox">The JSON object of the <c>Fusebox</c> section.</param>
    /// <param name="configure">Registers Fusebox; default <c>AddFusebox(builder.Configuration)</c>.</param>
    /// <param name="sectionName">The name of the top-level section that holds <paramref name="fusebox"/>.</param>
    public static JsonFileHost Build(string fusebox, Action<IServiceCollection, IConfiguration>? configure = null, string sectionName = "Fusebox")
    {
        string temporary = Directory.CreateTempSubdirectory("fusebox-config-").FullName;
        File.WriteAllText(Path.Combine(temporary, "appsettings.json"), Document(sectionName, fusebox, 0));
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [],
            ContentRootPath = temporary,
            EnvironmentName = Environments.Production,
        });

        // The default builder is what applications use; make sure it really reads our file with reloadOnChange.
        Assert.Contains(builder.Configuration.Sources, s => s is JsonConfigurationSource { Path: "appsettings.json", ReloadOnChange: true });

        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        builder.Logging.ClearProviders();
        builder.Services.AddFakeLogging(o => o.CollectRecordsForDisabledLogLevels = false);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        (configure ?? ((services, configuration) => services.AddFusebox(configuration)))(builder.Services, builder.Configuration);
        return new JsonFileHost(temporary, builder.Build(), builder.Configuration);
    }

    /// <summary>Builds and starts the host, and creates the registry (which subscribes to reloads).</summary>
    public static async Task<JsonFileHost> StartAsync(string fusebox, Action<IServiceCollection, IConfiguration>? configure = null)
    {
        var host = Build(fusebox, configure);
        await host.Host.StartAsync();
        _ = host.Registry;
        return host;
    }

    /// <summary>Starts a host expected to refuse to start, and returns the validation error.</summary>
    public static async Task<OptionsValidationException> StartFailureAsync(
        string fusebox, Action<IServiceCollection, IConfiguration>? configure = null, string sectionName = "Fusebox")
    {
        var host = Build(fusebox, configure, sectionName);
        try
        {
            return await Assert.ThrowsAsync<OptionsValidationException>(() => host.Host.StartAsync());
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    /// <summary>
    /// Rewrites appsettings.json and waits until the options monitor has announced the new file. The wait ends on
    /// the monitor's change callback for this very file (its marker), so a duplicate event of the watcher for an
    /// earlier write cannot end it early. <see cref="FuseboxConfiguration"/> subscribed to the same monitor when the
    /// registry was created, before this call; the monitor invokes its listeners in subscription order, so by the
    /// time this returns Fusebox has adopted or rejected the file (and logged it).
    /// </summary>
    public async Task RewriteAsync(string fusebox)
    {
        int generation = ++_generation;
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = Services.GetRequiredService<IOptionsMonitor<FuseboxOptions>>().OnChange((_, _) =>
        {
            if (Configuration["ReloadMarker"] == generation.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                seen.TrySetResult();
            }
        });

        // Write beside the file and move over it, so the watcher never reads a half-written file.
        string temporary = SettingsPath + ".tmp";
        await File.WriteAllTextAsync(temporary, Document("Fusebox", fusebox, generation));
        File.Move(temporary, SettingsPath, overwrite: true);
        await seen.Task.WaitAsync(s_reloadTimeout);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Host.StopAsync();
        }
        finally
        {
            Host.Dispose();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Document(string sectionName, string fusebox, int generation) =>
        $$"""{ "ReloadMarker": {{generation}}, "{{sectionName}}": {{fusebox}} }""";
}
