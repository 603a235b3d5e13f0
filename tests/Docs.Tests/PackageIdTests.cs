using System.Text.RegularExpressions;
using Xunit;

namespace Docs.Tests;

/// <summary>The install lines name the packages that src/ really builds, so a reader's `dotnet add package` works.</summary>
public partial class PackageIdTests
{
    /// <summary>One package per src/ project; its ID is the project's name (no project overrides PackageId).</summary>
    private static IReadOnlyList<string> ShippedPackages() =>
        Directory.EnumerateFiles(Path.Combine(SnippetPaths.RepositoryRoot, "src"), "*.csproj", SearchOption.AllDirectories)
            .Select(Path.GetFileNameWithoutExtension)
            .Select(name => name!)
            .Order(StringComparer.Ordinal)
            .ToList();

    private static IReadOnlyList<string> PackagesAdded(string code) =>
        AddPackage().Matches(code).Select(m => m.Groups["id"].Value).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public void The_readme_install_section_lists_every_package()
    {
        var install = SnippetText.Blocks("README.md")
            .Where(b => b.Language == "bash")
            .Select(b => PackagesAdded(b.Code))
            .FirstOrDefault(ids => ids.Count > 0);

        Assert.NotNull(install);
        Assert.Equal(ShippedPackages(), install);
    }

    [Fact]
    public void Each_package_readme_installs_its_own_package()
    {
        foreach (var package in ShippedPackages())
        {
            var readme = $"src/{package}/README.md";
            Assert.True(File.Exists(Path.Combine(SnippetPaths.RepositoryRoot, readme)), $"{readme} is missing");
            var added = SnippetText.Blocks(readme).SelectMany(b => PackagesAdded(b.Code)).ToList();
            Assert.True(added.Contains(package), $"{readme} has no `dotnet add package {package}` line (it has: {string.Join(", ", added)})");
        }
    }

    [Fact]
    public void No_project_renames_its_package()
    {
        // ShippedPackages() takes the project name for the ID; a <PackageId> would make the install lines above wrong.
        var renamed = Directory.EnumerateFiles(Path.Combine(SnippetPaths.RepositoryRoot, "src"), "*.csproj", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(SnippetPaths.RepositoryRoot, "src"), "Directory.Build.props"))
            .Where(f => File.ReadAllText(f).Contains("<PackageId>", StringComparison.Ordinal))
            .ToList();

        Assert.Empty(renamed);
    }

    [GeneratedRegex(@"dotnet add package (?<id>[A-Za-z0-9_.\-]+)")]
    private static partial Regex AddPackage();
}
