namespace CertPolicy.Cli.Output;

/// <summary>How a piece of text should stand out on a terminal; plain output ignores it.</summary>
internal enum Tone
{
    Normal,
    Good,
    Bad,
    Warning,
    Muted,
}

/// <summary>A piece of text with a tone.</summary>
internal sealed record Cell(string Text, Tone Tone = Tone.Normal);

/// <summary>One part of a report, independent of how it is drawn.</summary>
internal abstract record Block;

/// <summary>A line that stands on its own, such as a verdict.</summary>
internal sealed record HeadingBlock(string Text, Tone Tone) : Block;

/// <summary>Labelled values, one a line.</summary>
internal sealed record FieldsBlock(string? Title, IReadOnlyList<(string Label, Cell Value)> Rows) : Block;

/// <summary>A table with a header row.</summary>
internal sealed record TableBlock(string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<Cell>> Rows) : Block;

/// <summary>Items in a list, each with a marker, such as the problems of a verdict.</summary>
internal sealed record ListBlock(IReadOnlyList<Cell> Items) : Block;
