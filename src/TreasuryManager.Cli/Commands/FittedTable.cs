using System.Text;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace TreasuryManager.Cli.Commands;

/// <summary>
/// A table of plain-text cells written at the console's width without breaking a word or a number: the usual
/// Spectre.Console table when every column gets at least its longest word (and, up to <see cref="ComfortableWidth"/>,
/// the room its text wants), else one block per row after a blank line, a field per line ("venue: ManagedPool"), the
/// values wrapped at spaces. A ten-column status table squeezed into 120 columns broke "ManagedPool" and "0.0000200–199,995" across lines,
/// cut its headers to "(low–hig…" and took some thirty lines per pool; its blocks take about a dozen.
/// </summary>
internal static class FittedTable
{
    /// <summary>The width each column should get, when its text is that long, for the table to be used: narrower
    /// columns would wrap a sentence a word or two per line.</summary>
    public const int ComfortableWidth = 24;

    /// <summary>Writes the table to <paramref name="console"/> (its <see cref="Profile.Width"/>); the cells are plain
    /// text, not markup.</summary>
    public static void Write(IAnsiConsole console, IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(console);
        var width = console.Profile.Width;
        var options = RenderOptions.Create(console);
        if (ColumnWidths(options, headers, rows, width) is { } widths)
        {
            // each column's width set here: Spectre.Console, left to itself, narrows the widest columns alike, below
            // their longest word (a feed's address) when several cells are long
            var table = new Table().AddColumns(headers.Select((h, c) => new TableColumn(new Text(h)).Width(widths[c])).ToArray());
            foreach (var row in rows) table.AddRow(row.Select(cell => (IRenderable)new Text(cell)).ToArray());
            console.Write(table);
            return;
        }
        console.WriteLine(); // the blocks stand apart from the line above them
        foreach (var line in Blocks(headers, rows, width, text => Measure(options, text).Max))
            console.WriteLine(line);
    }

    /// <summary>
    /// The width of each column when the table fits <paramref name="width"/> (the border and padding take three
    /// columns a column, plus one) with each column at least as wide as its longest word and as its longest line up
    /// to <see cref="ComfortableWidth"/>; the room left goes to the columns whose lines are longer, the narrowest first.
    /// Null when it does not fit.
    /// </summary>
    internal static int[]? ColumnWidths(RenderOptions options, IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows, int width)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        var widths = new int[headers.Count];
        var wanted = new int[headers.Count];
        for (var c = 0; c < headers.Count; c++)
        {
            int longestWord = 0, longestLine = 0;
            foreach (var text in rows.Select(r => c < r.Count ? r[c] : "").Prepend(headers[c]))
            {
                var m = Measure(options, text);
                longestWord = Math.Max(longestWord, m.Min);
                longestLine = Math.Max(longestLine, m.Max);
            }
            widths[c] = Math.Max(longestWord, Math.Min(longestLine, ComfortableWidth));
            wanted[c] = Math.Max(longestLine, widths[c]);
        }
        var room = width - (3 * headers.Count + 1) - widths.Sum();
        if (room < 0) return null;
        while (room > 0)
        {
            var narrowest = Enumerable.Range(0, widths.Length).Where(c => widths[c] < wanted[c]).Select(c => widths[c]).DefaultIfEmpty(-1).Min();
            if (narrowest < 0) break;
            for (var c = 0; c < widths.Length && room > 0; c++)
                if (widths[c] == narrowest && widths[c] < wanted[c])
                {
                    widths[c]++;
                    room--;
                }
        }
        return widths;
    }

    private static Measurement Measure(RenderOptions options, string text) => ((IRenderable)new Text(text)).Measure(options, int.MaxValue);

    /// <summary>
    /// One block per row, a blank line between blocks: the first field flush left ("pool: BASE/USDQ"), the others
    /// indented under it with their values in one column, wrapped at spaces within <paramref name="width"/> (when the
    /// names would leave the values less than half the width, or less than their longest word, each value follows its
    /// own name instead, its further lines indented less). Only a word longer than a whole line is cut.
    /// </summary>
    internal static IReadOnlyList<string> Blocks(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows, int width, Func<string, int>? cellWidth = null)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        cellWidth ??= s => s.Length;
        var lines = new List<string>();
        var valueColumn = 2 + (headers.Count <= 1 ? 0 : headers.Skip(1).Max(h => cellWidth(h))) + 2; // "  name:  value"
        var longestWord = rows.SelectMany(r => r.Skip(1)).SelectMany(v => v.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries)).Select(cellWidth).DefaultIfEmpty(0).Max();
        var aligned = width - valueColumn >= Math.Max(width / 2, longestWord);
        foreach (var row in rows)
        {
            if (lines.Count > 0) lines.Add("");
            for (var c = 0; c < headers.Count; c++)
            {
                var value = c < row.Count ? row[c] : "";
                string prefix;
                int hanging;
                if (c == 0) (prefix, hanging) = (headers[c] + ": ", 4);
                else if (aligned) (prefix, hanging) = (("  " + headers[c] + ":").PadRight(valueColumn), valueColumn);
                else (prefix, hanging) = ("  " + headers[c] + ": ", 6);
                var wrapped = Wrap(value, width - cellWidth(prefix), width - hanging, cellWidth);
                lines.Add((prefix + wrapped[0]).TrimEnd());
                lines.AddRange(wrapped.Skip(1).Select(l => new string(' ', hanging) + l));
            }
        }
        return lines;
    }

    /// <summary>Greedy word wrap at spaces (and at line breaks in the text): the first line within
    /// <paramref name="firstWidth"/> columns (left empty when the first word needs more), the others within
    /// <paramref name="width"/>; a word wider than <paramref name="width"/> is cut into pieces that fit. At least one line.</summary>
    internal static List<string> Wrap(string text, int firstWidth, int width, Func<string, int> cellWidth)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(cellWidth);
        width = Math.Max(1, width);
        var lines = new List<string>();
        var line = new StringBuilder();
        var lineWidth = 0;
        int Limit() => lines.Count == 0 ? firstWidth : width;
        void Break()
        {
            lines.Add(line.ToString());
            line.Clear();
            lineWidth = 0;
        }
        var paragraphs = text.Split('\n');
        for (var p = 0; p < paragraphs.Length; p++)
        {
            if (p > 0) Break();
            foreach (var word in paragraphs[p].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var w = word;
                var ww = cellWidth(w);
                if (lineWidth > 0 && lineWidth + 1 + ww <= Limit())
                {
                    line.Append(' ').Append(w);
                    lineWidth += 1 + ww;
                    continue;
                }
                if (lineWidth > 0 || (lines.Count == 0 && ww > Limit() && ww <= width)) Break();
                while (ww > Limit())
                {
                    var cut = 1;
                    while (cut < w.Length && cellWidth(w[..(cut + 1)]) <= Limit()) cut++;
                    lines.Add(w[..cut]);
                    w = w[cut..];
                    ww = cellWidth(w);
                }
                line.Append(w);
                lineWidth = ww;
            }
        }
        if (lineWidth > 0 || lines.Count == 0) lines.Add(line.ToString());
        return lines;
    }
}
