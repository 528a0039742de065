namespace CertPolicy;

/// <summary>
/// A span of time between two instants: <see cref="Start"/> included, <see cref="End"/> excluded (NodaTime's
/// <c>Interval</c> is the model). <see cref="Unbounded"/> is every instant; the default value is empty.
/// </summary>
internal readonly record struct InstantInterval
{
    private InstantInterval(DateTimeOffset start, DateTimeOffset end)
    {
        Start = start;
        End = end;
    }

    /// <summary>Every instant a <see cref="DateTimeOffset"/> can hold but the very last.</summary>
    public static InstantInterval Unbounded { get; } = new(DateTimeOffset.MinValue, DateTimeOffset.MaxValue);

    /// <summary>The first instant of the interval (included).</summary>
    public DateTimeOffset Start { get; }

    /// <summary>The first instant after the interval (excluded).</summary>
    public DateTimeOffset End { get; }

    /// <summary>True when no instant is inside.</summary>
    public bool IsEmpty => Start >= End;

    /// <summary>True when <paramref name="instant"/> is inside: at or after <see cref="Start"/> and before <see cref="End"/>.</summary>
    public bool Contains(DateTimeOffset instant) => instant.UtcTicks >= Start.UtcTicks && instant.UtcTicks < End.UtcTicks;

    /// <summary>
    /// The part of this interval on the same side of <paramref name="boundary"/> as <paramref name="now"/>: a boundary
    /// at or before now becomes the start (when later than it), one after now the end (when earlier than it).
    /// </summary>
    public InstantInterval Split(DateTimeOffset now, DateTimeOffset boundary) => boundary.UtcTicks <= now.UtcTicks
        ? new InstantInterval(boundary > Start ? boundary : Start, End)
        : new InstantInterval(Start, boundary < End ? boundary : End);

    /// <inheritdoc/>
    public override string ToString() => $"[{Start:O}, {End:O})";
}
