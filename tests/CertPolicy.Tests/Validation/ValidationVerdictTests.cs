namespace CertPolicy.Tests.Validation;

public sealed class ValidationVerdictTests
{
    [Fact]
    public void A_verdict_without_problems_is_valid()
    {
        Assert.True(ValidationVerdict.Valid.IsValid);
        Assert.Equal(CertificateProblemKinds.None, ValidationVerdict.Valid.Kinds);
    }

    [Fact]
    public void A_verdict_carries_the_union_of_its_problem_kinds()
    {
        var verdict = new ValidationVerdict(
        [
            new CertificateProblem(CertificateProblemKinds.Expired, 0, "CN=a", "expired"),
            new CertificateProblem(CertificateProblemKinds.NameMismatch, 0, "CN=a", "wrong name"),
        ]);

        Assert.False(verdict.IsValid);
        Assert.Equal(CertificateProblemKinds.Expired | CertificateProblemKinds.NameMismatch, verdict.Kinds);
        Assert.Equal(2, verdict.Problems.Count);
    }

    [Fact]
    public void Options_refuse_legacy_mode_without_an_expected_subject()
    {
        var options = new CertificateValidatorOptions { Mode = ValidationMode.Legacy, TrustStore = new EmptyStore() };
        ArgumentException error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains("ExpectedSubject", error.Message, StringComparison.Ordinal);
    }

    private sealed class EmptyStore : TrustStore
    {
        public override TrustAnchors GetAnchors() => TrustAnchors.Empty;
    }
}
