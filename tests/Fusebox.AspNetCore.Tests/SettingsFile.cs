using Fusebox.Extensions;
using Microsoft.Extensions.DependencyInjection;

namespace Fusebox.AspNetCore.Tests;

/// <summary>
/// An <c>appsettings.json</c> in a temporary directory, the content root of an <see cref="AdminApp"/>: the host reads
/// it through the file provider with <c>reloadOnChange</c>, so a rewrite reaches Fusebox as a real reload.
/// </summary>
internal sealed class SettingsFile : IDisposable
{
    private SettingsFile(string directory) => Directory = directory;

    /// <summary>The content root to pass to <see cref="AdminApp.StartAsync"/>.</summary>
    public string Directory { get; }

    private string Path => System.IO.Path.Combine(Directory, "appsettings.json");

    public static SettingsFile Create(string fusebox)
    {
        var file = new SettingsFile(System.IO.Directory.CreateTempSubdirectory("fusebox-admin-config-").FullName);
        File.WriteAllText(file.Path, Document(fusebox));
        return file;
    }

    /// <summary>Rewrites the file with <paramref name="fusebox"/> as the <c>Fusebox</c> section and waits until Fusebox
    /// has adopted a reload for which <paramref name="adopted"/> holds (the watcher may report one write twice).</summary>
    public async Task RewriteAsync(AdminApp app, string fusebox, Func<FuseboxOptions, bool> adopted)
    {
        var configuration = app.App.Services.GetRequiredService<FuseboxConfiguration>();
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnReloaded(FuseboxOptions options)
        {
            if (adopted(options))
            {
                seen.TrySetResult();
            }
        }

        configuration.Reloaded += OnReloaded;
        try
        {
            string temporary = Path + ".tmp"; // written beside and moved over, so the watcher never reads half a file
            await File.WriteAllTextAsync(temporary, Document(fusebox));
            File.Move(temporary, Path, overwrite: true);
            await seen.Task.WaitAsync(TimeSpan.FromSeconds(20));
        }
        finally
        {
            configuration.Reloaded -= OnReloaded;
        }
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private static string Document(string fusebox) => $$"""{ "Fusebox": {{fusebox}} }""";
}
