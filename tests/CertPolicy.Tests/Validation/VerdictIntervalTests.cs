namespace CertPolicy.Tests.Validation;

/// <summary>
/// The interval a verdict holds over is computed by the same rule the validator judges validity with: its ends are
/// exactly the instants where that judgement changes.
/// </summary>
public sealed class VerdictIntervalTests
{
    private static readonly DateTimeOffset NotBefore = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(1_234_567);
    private static readonly DateTimeOffset NotAfter = NotBefore.AddDays(30).AddTicks(7_654_321);

    public static TheoryData<int, int> Cases => new()
    {
        { 0, -1 }, { 0, 10 }, { 0, 31 }, { 1, -1 }, { 1, 10 }, { 3600, 31 }, { 86_400, 10 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_interval_ends_exactly_where_the_validity_rules_change_their_answer(int skewSeconds, int dayFromNotBefore)
    {
        var skew = TimeSpan.FromSeconds(skewSeconds);
        DateTimeOffset now = NotBefore.AddDays(dayFromNotBefore).AddTicks(987);
        InstantInterval holds = Settings(now, skew).Narrow(InstantInterval.Unbounded, NotBefore, NotAfter);

        Assert.True(holds.Contains(now));
        Assert.False(holds.IsEmpty);
        (bool, bool) answer = Answer(now, skew);
        Assert.True(holds.Start > DateTimeOffset.MinValue || holds.End < DateTimeOffset.MaxValue);
        if (holds.Start > DateTimeOffset.MinValue)
        {
            Assert.Equal(answer, Answer(holds.Start, skew));
            Assert.NotEqual(answer, Answer(holds.Start.AddTicks(-1), skew));
        }

        if (holds.End < DateTimeOffset.MaxValue)
        {
            Assert.Equal(answer, Answer(holds.End.AddTicks(-1), skew));
            Assert.NotEqual(answer, Answer(holds.End, skew));
            Assert.False(holds.Contains(holds.End));
        }
    }

    [Fact]
    public void Certificate_times_at_the_ends_of_the_calendar_do_not_overflow()
    {
        var settings = Settings(NotBefore, TimeSpan.FromDays(1));
        InstantInterval holds = settings.Narrow(InstantInterval.Unbounded, DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        Assert.Equal(InstantInterval.Unbounded, holds);
        Assert.True(holds.Contains(NotBefore));
    }

    [Fact]
    public void A_report_made_by_hand_holds_at_no_instant()
    {
        ValidationReport report = Decisions.Reports.Valid();
        Assert.True(report.HoldsDuring.IsEmpty);
        Assert.False(report.HoldsDuring.Contains(report.ValidatedAt));
    }

    private static (bool Reached, bool NotPassed) Answer(DateTimeOffset instant, TimeSpan skew)
    {
        ValidationSettings settings = Settings(instant, skew);
        return (settings.HasReached(NotBefore), settings.HasNotPassed(NotAfter));
    }

    private static ValidationSettings Settings(DateTimeOffset now, TimeSpan skew) =>
        new(now, skew, 8, 100, CertificateValidatorOptions.ServerAuthenticationOid, RevocationLists.None);
}
