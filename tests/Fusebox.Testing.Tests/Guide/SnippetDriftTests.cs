namespace Fusebox.Testing.Tests.Guide;

/// <summary>
/// Every C# block of docs/testing.md and of the package README must appear, line for line (indentation aside), in
/// one of this folder's files, which compile and run as tests: a snippet edited in the doc alone, or code changed
/// here alone, fails this test instead of drifting. A block's leading <c>using</c> directives must be the file's too;
/// the rest of the block must be one unbroken run of the file's lines (so statements shown at top level can live in a
/// test method).
/// </summary>
public class SnippetDriftTests
{
    [Theory]
    [InlineData("docs/testing.md")]
    [InlineData("src/Fusebox.Testing/README.md")]
    public void Every_csharp_block_is_code_of_a_guide_test(string document)
    {
        string root = RepositoryRoot();
        var sources = Directory.GetFiles(Path.Combine(root, "tests/Fusebox.Testing.Tests/Guide"), "*.cs").Select(f => Lines(File.ReadAllText(f))).ToArray();
        var blocks = CSharpBlocks(File.ReadAllText(Path.Combine(root, document)));

        Assert.NotEmpty(blocks);
        Assert.All(blocks, block => Assert.True(sources.Any(source => IsIn(source, Lines(block))),
            $"This block of {document} is not in tests/Fusebox.Testing.Tests/Guide:\n{block}"));
    }

    private static List<string> CSharpBlocks(string markdown)
    {
        var blocks = new List<string>();
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "```csharp")
            {
                continue;
            }

            int end = Array.FindIndex(lines, i + 1, l => l.Trim() == "```");
            blocks.Add(string.Join('\n', lines[(i + 1)..end]));
            i = end;
        }

        return blocks;
    }

    private static string[] Lines(string text) =>
        [.. text.ReplaceLineEndings("\n").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)];

    private static bool IsIn(string[] source, string[] block)
    {
        int usings = block.TakeWhile(IsUsingDirective).Count();
        return block[..usings].All(source.Contains) && Contains(source, block[usings..]);
    }

    private static bool IsUsingDirective(string line) => line.StartsWith("using ", StringComparison.Ordinal) && !line.StartsWith("using var ", StringComparison.Ordinal);

    private static bool Contains(string[] source, string[] block)
    {
        for (int start = 0; start + block.Length <= source.Length; start++)
        {
            if (source.AsSpan(start, block.Length).SequenceEqual(block))
            {
                return true;
            }
        }

        return false;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Fusebox.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Fusebox.slnx above {AppContext.BaseDirectory}.");
    }
}
