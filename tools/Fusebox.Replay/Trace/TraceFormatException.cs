namespace Fusebox.Replay;

/// <summary>A trace line that cannot be read: names the file, the line, the field and what is allowed.</summary>
public sealed class TraceFormatException : FormatException
{
    /// <summary>Creates the exception; the message is built from the parts.</summary>
    /// <param name="source">The file (or stream) name.</param>
    /// <param name="line">The 1-based line number.</param>
    /// <param name="field">The field at fault, or null when the line as a whole is.</param>
    /// <param name="problem">What is wrong and what is allowed.</param>
    public TraceFormatException(string source, int line, string? field, string problem)
        : base(field is null ? $"{source}:{line}: {problem}" : $"{source}:{line}: field '{field}': {problem}")
    {
        FileName = source;
        Line = line;
        Field = field;
    }

    /// <summary>The file (or stream) name.</summary>
    public string FileName { get; }

    /// <summary>The 1-based line number.</summary>
    public int Line { get; }

    /// <summary>The field at fault, or null when the line as a whole is.</summary>
    public string? Field { get; }
}
