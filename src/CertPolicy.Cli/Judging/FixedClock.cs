namespace CertPolicy.Cli.Judging;

/// <summary>A clock stopped at one instant: <c>--at</c> judges as if it were then.</summary>
internal sealed class FixedClock : TimeProvider
{
    private readonly DateTimeOffset _at;

    public FixedClock(DateTimeOffset at)
    {
        _at = at.ToUniversalTime();
    }

    public override DateTimeOffset GetUtcNow() => _at;
}
