using Xunit;

namespace Docs.Tests;

/// <summary>
/// Every C# block of the documentation has a compiled copy in Snippets/, and the copy is the block, token for token.
/// The build proves the copies compile against today's API; these tests prove the documents still show the copies.
/// </summary>
public class SnippetDriftTests
{
    public static TheoryData<string, int> CSharpBlocks()
    {
        var data = new TheoryData<string, int>();
        foreach (var block in SnippetPaths.Documents().SelectMany(SnippetText.Blocks).Where(b => b.IsCSharp))
        {
            data.Add(block.Document, block.Index);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CSharpBlocks))]
    public void Each_csharp_block_is_its_compiled_copy(string document, int index)
    {
        var block = SnippetText.Blocks(document).Single(b => b.IsCSharp && b.Index == index);
        var copy = Path.Combine(SnippetPaths.RepositoryRoot, block.SnippetFile);
        Assert.True(File.Exists(copy),
            $"{block}: no compiled copy. Create {block.SnippetFile} holding the block verbatim between " +
            $"'{SnippetText.StartMarker}' and '{SnippetText.EndMarker}' (inside a scaffold that declares the names it uses).");

        var compiled = SnippetText.CompiledSnippet(block.SnippetFile);
        Assert.True(SnippetText.Normalize(block.Code) == SnippetText.Normalize(compiled),
            $"{block} and {block.SnippetFile} differ (whitespace aside): change both, so the document shows code that compiles." +
            $"\n--- document:\n{block.Code}\n--- compiled copy:\n{compiled}");
    }

    [Fact]
    public void Every_compiled_copy_belongs_to_a_csharp_block()
    {
        var expected = SnippetPaths.Documents().SelectMany(SnippetText.Blocks).Where(b => b.IsCSharp)
            .Select(b => b.SnippetFile).ToHashSet(StringComparer.Ordinal);
        var orphans = Directory.EnumerateFiles(SnippetPaths.SnippetsFolder, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(SnippetPaths.RepositoryRoot, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(f => !expected.Contains(f))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(orphans.Count == 0,
            "Compiled copies whose document block is gone (or renumbered: blocks are numbered per document, C# only): " +
            string.Join(", ", orphans));
    }

    [Fact]
    public void Every_fence_names_its_language()
    {
        // A bare fence could hold C# that nothing compiles: name it (```text for output, diagrams and pseudo-code).
        var bare = SnippetPaths.Documents().SelectMany(SnippetText.Blocks).Where(b => b.Language.Length == 0)
            .Select(b => $"{b.Document}:{b.Line}").ToList();

        Assert.True(bare.Count == 0, "Fences without a language: " + string.Join(", ", bare));
    }

    [Fact]
    public void The_documents_are_found()
    {
        // Guards the walk to the repository root: finding no document would make every other test here vacuous.
        var documents = SnippetPaths.Documents().ToList();

        Assert.Contains("README.md", documents);
        Assert.Contains("docs/concepts.md", documents);
        Assert.Contains("docs/migrating-from-polly.md", documents);
        Assert.Contains("src/Fusebox/README.md", documents);
        Assert.True(CSharpBlocks().Count >= 10, $"only {CSharpBlocks().Count} C# blocks found");
    }
}
