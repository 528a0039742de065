using Spectre.Console;
using Spectre.Console.Rendering;

namespace CertPolicy.Cli.Output;

/// <summary>
/// Writes blocks for a terminal with Spectre.Console: colours and bordered tables. Every piece of text is written as
/// literal text, never parsed as markup, so certificate names cannot inject styles or escape sequences.
/// </summary>
internal static class RichWriter
{
    public static void Write(TextWriter output, IReadOnlyList<Block> blocks)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(blocks);
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.Standard,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });

        bool first = true;
        foreach (Block block in blocks)
        {
            if (!first && block is not ListBlock)
            {
                console.WriteLine();
            }

            first = false;
            console.Write(Render(block));
        }

        output.Flush();
    }

    private static IRenderable Render(Block block) => block switch
    {
        HeadingBlock heading => new Paragraph(TerminalText.Clean(heading.Text) + "\n", StyleOf(heading.Tone).Combine(new Style(decoration: Decoration.Bold))),
        FieldsBlock fields => RenderFields(fields),
        TableBlock table => RenderTable(table),
        ListBlock list => RenderList(list),
        _ => new Text(string.Empty),
    };

    private static IRenderable RenderFields(FieldsBlock fields)
    {
        var grid = new Grid();
        grid.AddColumn(new GridColumn().NoWrap().PadRight(2));
        grid.AddColumn(new GridColumn());
        foreach ((string label, Cell value) in fields.Rows)
        {
            grid.AddRow(new Text(label, new Style(Color.Grey)), new Text(TerminalText.Clean(value.Text), StyleOf(value.Tone)));
        }

        if (fields.Title is null)
        {
            return grid;
        }

        return new Rows(new Text(fields.Title, new Style(decoration: Decoration.Bold)), new Padder(grid, new Padding(2, 0, 0, 0)));
    }

    private static Table RenderTable(TableBlock block)
    {
        var table = new Table
        {
            Border = TableBorder.Rounded,
            Title = new TableTitle(block.Title, new Style(decoration: Decoration.Bold)),
        };
        foreach (string column in block.Columns)
        {
            table.AddColumn(new TableColumn(new Text(column, new Style(decoration: Decoration.Bold))));
        }

        foreach (IReadOnlyList<Cell> row in block.Rows)
        {
            table.AddRow([.. row.Select(c => (IRenderable)new Text(TerminalText.Clean(c.Text), StyleOf(c.Tone)))]);
        }

        return table;
    }

    private static Padder RenderList(ListBlock list)
    {
        var grid = new Grid();
        grid.AddColumn(new GridColumn().NoWrap().PadRight(1));
        grid.AddColumn(new GridColumn());
        foreach (Cell item in list.Items)
        {
            grid.AddRow(new Text("•", StyleOf(item.Tone)), new Text(TerminalText.Clean(item.Text), StyleOf(item.Tone)));
        }

        return new Padder(grid, new Padding(2, 0, 0, 0));
    }

    private static Style StyleOf(Tone tone) => tone switch
    {
        Tone.Good => new Style(Color.Green),
        Tone.Bad => new Style(Color.Red),
        Tone.Warning => new Style(Color.Yellow),
        Tone.Muted => new Style(Color.Grey),
        _ => Style.Plain,
    };
}
