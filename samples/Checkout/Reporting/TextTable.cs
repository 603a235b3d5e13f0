namespace Checkout.Reporting;

/// <summary>
/// A plain-text table: labels left-aligned in the first column, values right-aligned in the others, every column as
/// wide as its widest cell and columns <see cref="Gap"/> spaces apart, so that two cells never run together however
/// long a value gets. An optional heading line names groups of value columns (right-aligned over their span).
/// </summary>
public sealed class TextTable(params string[] header)
{
    /// <summary>The spaces between two columns.</summary>
    public const int Gap = 3;

    private readonly List<string[]> _rows = [header];

    /// <summary>Adds a row; it must have as many cells as the header.</summary>
    public TextTable Add(params string[] cells)
    {
        if (cells.Length != header.Length)
        {
            throw new ArgumentException($"A row needs {header.Length} cells (was {cells.Length}).", nameof(cells));
        }

        _rows.Add(cells);
        return this;
    }

    /// <param name="output">Where to write.</param>
    /// <param name="groups">Titles over consecutive value columns, e.g. ("local breakers", 2); none for no heading line.</param>
    public void WriteTo(TextWriter output, params (string Title, int Columns)[] groups)
    {
        int[] widths = [.. Enumerable.Range(0, header.Length).Select(c => _rows.Max(r => r[c].Length))];
        int column = 1;
        foreach (var (title, columns) in groups)
        {
            int span = Enumerable.Range(column, columns).Sum(c => widths[c]) + (Gap * (columns - 1));
            widths[column + columns - 1] += Math.Max(0, title.Length - span); // a long title widens its group's last column
            column += columns;
        }

        if (groups.Length > 0)
        {
            var heading = new System.Text.StringBuilder(new string(' ', widths[0]));
            column = 1;
            foreach (var (title, columns) in groups)
            {
                int span = Enumerable.Range(column, columns).Sum(c => widths[c]) + (Gap * (columns - 1));
                heading.Append(' ', Gap).Append(title.PadLeft(span));
                column += columns;
            }

            output.WriteLine(heading.ToString());
        }

        for (int r = 0; r < _rows.Count; r++)
        {
            var row = _rows[r];
            output.WriteLine(string.Concat(row.Select((cell, c) => c == 0 ? cell.PadRight(widths[0]) : new string(' ', Gap) + cell.PadLeft(widths[c]))).TrimEnd());
            if (r == 0)
            {
                output.WriteLine(new string('-', widths.Sum() + (Gap * (widths.Length - 1))));
            }
        }
    }
}
