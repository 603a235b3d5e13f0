using System.Text.RegularExpressions;

namespace Docs.Tests;

/// <summary>One fenced code block of a markdown document.</summary>
/// <param name="Document">The document's path relative to the repository root, with '/' separators.</param>
/// <param name="Language">The fence's info string up to the first space (empty for a bare fence).</param>
/// <param name="Index">1-based among the document's C# blocks (0 for other languages).</param>
/// <param name="Line">1-based line of the opening fence.</param>
/// <param name="Code">The block's text, without the fences.</param>
public sealed record FencedBlock(string Document, string Language, int Index, int Line, string Code)
{
    /// <summary>The languages whose blocks must compile; every other language is shown, not checked.</summary>
    public static readonly IReadOnlySet<string> CSharpLanguages = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "csharp", "cs", "c#" };

    public bool IsCSharp => CSharpLanguages.Contains(Language);

    /// <summary>Where the compiled copy lives: Snippets/ mirrors the document's folder, one file per block.</summary>
    public string SnippetFile => SnippetPaths.For(Document, Index);

    public override string ToString() => $"{Document} #{Index} (line {Line})";
}

/// <summary>Where things are: the repository root, the documents checked, the snippet copies.</summary>
public static class SnippetPaths
{
    /// <summary>The repository root: the first folder above the test assembly that holds Fusebox.slnx.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The compiled copies, in the source tree (not bin/): the same files this project compiles.</summary>
    public static string SnippetsFolder => Path.Combine(RepositoryRoot, "tests", "Docs.Tests", "Snippets");

    /// <summary>
    /// Documents whose snippets are compiled elsewhere, with the reason. Keep this list short: a document listed
    /// here can drift from the code unnoticed by this project.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Excluded = new Dictionary<string, string>
    {
        ["docs/testing.md"] = "compiled and drift-checked by tests/Fusebox.Testing.Tests (Guide/*.cs), which references Fusebox.Testing",
        ["src/Fusebox.Testing/README.md"] = "compiled and drift-checked by tests/Fusebox.Testing.Tests (Guide/*.cs)",
    };

    /// <summary>README.md and the other root documents, docs/**, and the package READMEs under src/ and samples/.</summary>
    public static IEnumerable<string> Documents()
    {
        var root = RepositoryRoot;
        var files = Directory.EnumerateFiles(root, "*.md", SearchOption.TopDirectoryOnly)
            .Concat(new[] { "docs", "src", "samples" }
                .Select(folder => Path.Combine(root, folder))
                .Where(Directory.Exists)
                .SelectMany(folder => Directory.EnumerateFiles(folder, "*.md", SearchOption.AllDirectories)));
        return files
            .Select(f => Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(f => !f.Split('/').Any(part => part is "bin" or "obj" or "node_modules"))
            .Where(f => !Excluded.ContainsKey(f))
            .Order(StringComparer.Ordinal);
    }

    /// <summary>Snippets/&lt;document's folder&gt;/&lt;document's name&gt;-&lt;n&gt;.cs, relative to the repository root.</summary>
    public static string For(string document, int index)
    {
        var folder = Path.GetDirectoryName(document)!.Replace('\\', '/');
        var name = Path.GetFileNameWithoutExtension(document);
        var relative = folder.Length == 0 ? $"{name}-{index}.cs" : $"{folder}/{name}-{index}.cs";
        return $"tests/Docs.Tests/Snippets/{relative}";
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Fusebox.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Fusebox.slnx above {AppContext.BaseDirectory}: the docs tests run from the repository's build output.");
    }
}

/// <summary>Reads fenced blocks out of markdown and the snippet text out of a compiled copy.</summary>
public static partial class SnippetText
{
    /// <summary>Marks the start of a compared part of a snippet file; a file may hold several parts (usings, then a body).</summary>
    public const string StartMarker = "// snippet:start";

    /// <summary>Marks the end of a compared part.</summary>
    public const string EndMarker = "// snippet:end";

    /// <summary>Every fenced block of <paramref name="document"/> (relative to the repository root), in order.</summary>
    public static IReadOnlyList<FencedBlock> Blocks(string document)
    {
        var lines = File.ReadAllLines(Path.Combine(SnippetPaths.RepositoryRoot, document));
        var blocks = new List<FencedBlock>();
        int csharp = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            var opening = lines[i].TrimStart();
            if (!opening.StartsWith("```", StringComparison.Ordinal))
            {
                continue;
            }

            var language = opening[3..].Trim().Split(' ', 2)[0];
            int start = i + 1;
            int end = start;
            while (end < lines.Length && !lines[end].TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                end++;
            }

            if (end == lines.Length)
            {
                throw new InvalidOperationException($"{document}:{i + 1}: the code fence is never closed.");
            }

            bool isCSharp = FencedBlock.CSharpLanguages.Contains(language);
            blocks.Add(new FencedBlock(document, language, isCSharp ? ++csharp : 0, i + 1, string.Join('\n', lines[start..end])));
            i = end;
        }

        return blocks;
    }

    /// <summary>The compared parts of a snippet file (between the markers), joined in order.</summary>
    public static string CompiledSnippet(string snippetFile)
    {
        var parts = new List<string>();
        List<string>? current = null;
        int lineNumber = 0;
        foreach (var line in File.ReadLines(Path.Combine(SnippetPaths.RepositoryRoot, snippetFile)))
        {
            lineNumber++;
            var trimmed = line.Trim();
            if (trimmed == StartMarker)
            {
                if (current is not null)
                {
                    throw new InvalidOperationException($"{snippetFile}:{lineNumber}: {StartMarker} inside an open part.");
                }

                current = [];
            }
            else if (trimmed == EndMarker)
            {
                parts.Add(string.Join('\n', current ?? throw new InvalidOperationException($"{snippetFile}:{lineNumber}: {EndMarker} without {StartMarker}.")));
                current = null;
            }
            else
            {
                current?.Add(line);
            }
        }

        if (current is not null)
        {
            throw new InvalidOperationException($"{snippetFile}: the last {StartMarker} has no {EndMarker}.");
        }

        if (parts.Count == 0)
        {
            throw new InvalidOperationException($"{snippetFile}: no {StartMarker} … {EndMarker} part: nothing in it is the document's snippet.");
        }

        return string.Join('\n', parts);
    }

    /// <summary>
    /// The text with every run of whitespace made one space: indentation inside a scaffold's method body and line
    /// breaks between parts do not count, every token does.
    /// </summary>
    public static string Normalize(string code) => Whitespace().Replace(code, " ").Trim();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
