using System.Text;

namespace CertPolicy.Cli.Output;

/// <summary>Writes blocks as plain text: no colour, no escape sequences, columns aligned with spaces.</summary>
internal static class PlainWriter
{
    public static void Write(TextWriter output, IReadOnlyList<Block> blocks)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(blocks);
        var text = new StringBuilder();
        Block? previous = null;
        foreach (Block block in blocks)
        {
            // A blank line between blocks, except that a list stays under the heading it belongs to.
            if (previous is not null && !(block is ListBlock && previous is HeadingBlock))
            {
                text.Append('\n');
            }

            switch (block)
            {
                case HeadingBlock heading:
                    text.Append(heading.Text).Append('\n');
                    break;
                case FieldsBlock fields:
                    WriteFields(text, fields);
                    break;
                case TableBlock table:
                    WriteTable(text, table);
                    break;
                case ListBlock list:
                    foreach (Cell item in list.Items)
                    {
                        text.Append("  - ").Append(item.Text).Append('\n');
                    }

                    break;
            }

            previous = block;
        }

        output.Write(TerminalText.Clean(text.ToString(), keepNewLines: true));
        output.Flush();
    }

    private static void WriteFields(StringBuilder text, FieldsBlock fields)
    {
        string indent = string.Empty;
        if (fields.Title is not null)
        {
            text.Append(fields.Title).Append('\n');
            indent = "  ";
        }

        int width = fields.Rows.Count == 0 ? 0 : fields.Rows.Max(r => r.Label.Length);
        foreach ((string label, Cell value) in fields.Rows)
        {
            text.Append(indent).Append(label.PadRight(width)).Append("  ").Append(value.Text).Append('\n');
        }
    }

    private static void WriteTable(StringBuilder text, TableBlock table)
    {
        text.Append(table.Title).Append('\n');
        int[] widths = [.. table.Columns.Select(c => c.Length)];
        foreach (IReadOnlyList<Cell> row in table.Rows)
        {
            for (int i = 0; i < row.Count && i < widths.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Text.Length);
            }
        }

        WriteRow(text, table.Columns, widths);
        WriteRow(text, [.. widths.Select(w => new string('-', w))], widths);
        foreach (IReadOnlyList<Cell> row in table.Rows)
        {
            WriteRow(text, [.. row.Select(c => c.Text)], widths);
        }
    }

    private static void WriteRow(StringBuilder text, IReadOnlyList<string> cells, int[] widths)
    {
        var line = new StringBuilder("  ");
        for (int i = 0; i < cells.Count; i++)
        {
            line.Append(i == cells.Count - 1 ? cells[i] : cells[i].PadRight(widths[i] + 2));
        }

        text.Append(line.ToString().TrimEnd()).Append('\n');
    }
}
