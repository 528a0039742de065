using System.Globalization;

namespace CertPolicy.Tests.Legacy;

public sealed class LegacySubjectRuleTests
{
    private const string LeafSubject = "CN=server.example.com, O=Example";

    [Theory]
    [InlineData("server.example.com", "server.example.com")]
    [InlineData("Server.Example.COM", "server.example.com")]
    [InlineData("server.example.com", "SERVER.EXAMPLE.COM")]
    [InlineData("Management Server", "management server")]
    [InlineData("Société Générale EMS", "Société Générale EMS")]
    [InlineData("Société", "SOCIéTé")]
    public void The_rule_passes_when_the_only_common_name_equals_the_expected_one_ignoring_ASCII_case(string expected, string commonName)
    {
        ValidationVerdict verdict = LegacySubjectRule.Evaluate(expected, [commonName], LeafSubject);

        Assert.True(verdict.IsValid);
    }

    [Theory]
    [InlineData("server.example.com", "other.example.com")]
    [InlineData("server.example.com", "server.example.com ")]
    [InlineData("server.example.com", " server.example.com")]
    [InlineData("server.example.com", "server.example.com.")]
    [InlineData("server.example.com", "server.example.co")]
    [InlineData("server.example.com", "server.example.com\0.evil.example")]
    [InlineData("server.example.com", "*.example.com")]
    [InlineData("server.example.com", "")]
    [InlineData("admin", "admın")] // dotless i: OrdinalIgnoreCase would call these equal
    [InlineData("server", "ſerver")] // long s: likewise
    [InlineData("k", "\u212A")] // Kelvin sign
    [InlineData("société", "SOCIÉTÉ")] // non-ASCII case is not folded
    [InlineData("bücher.example", "xn--bcher-kva.example")] // no IDNA either
    public void The_rule_fails_when_the_common_name_differs_beyond_ASCII_case(string expected, string commonName)
    {
        ValidationVerdict verdict = LegacySubjectRule.Evaluate(expected, [commonName], LeafSubject);

        CertificateProblem problem = Assert.Single(verdict.Problems);
        Assert.Equal(CertificateProblemKinds.SubjectMismatch, problem.Kind);
        Assert.Equal(0, problem.ChainPosition);
        Assert.Equal(LeafSubject, problem.Subject);
        Assert.StartsWith($"Legacy agents expect the subject common name '{expected}'; this certificate's is '", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mismatch_says_what_was_expected_and_what_was_found()
    {
        ValidationVerdict verdict = LegacySubjectRule.Evaluate("ems.example.com", ["www.example.com"], LeafSubject);

        Assert.Equal(
            "Legacy agents expect the subject common name 'ems.example.com'; this certificate's is 'www.example.com'.",
            Assert.Single(verdict.Problems).Message);
    }

    [Fact]
    public void A_mismatch_in_non_ASCII_case_only_says_so()
    {
        ValidationVerdict verdict = LegacySubjectRule.Evaluate("société", ["SOCIÉTÉ"], LeafSubject);

        Assert.EndsWith("They differ in the case of non-ASCII letters, which legacy agents do not ignore.", Assert.Single(verdict.Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mismatch_message_escapes_control_characters()
    {
        ValidationVerdict verdict = LegacySubjectRule.Evaluate("server", ["server\0\u202Eevil"], LeafSubject);

        string message = Assert.Single(verdict.Problems).Message;
        Assert.Contains("'server\\u0000\\u202Eevil'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_subject_without_common_name_fails()
    {
        ValidationVerdict verdict = LegacySubjectRule.Evaluate("server.example.com", [], "O=Example");

        CertificateProblem problem = Assert.Single(verdict.Problems);
        Assert.Equal(CertificateProblemKinds.SubjectMismatch, problem.Kind);
        Assert.Equal("O=Example", problem.Subject);
        Assert.Equal("Legacy agents expect the subject common name 'server.example.com'; this certificate's subject has no common name.", problem.Message);
    }

    [Theory]
    [InlineData("server.example.com", "other.example.com")]
    [InlineData("other.example.com", "server.example.com")]
    [InlineData("server.example.com", "server.example.com")]
    public void A_subject_with_several_common_names_is_ambiguous_and_fails(string first, string second)
    {
        ValidationVerdict verdict = LegacySubjectRule.Evaluate("server.example.com", [first, second], LeafSubject);

        CertificateProblem problem = Assert.Single(verdict.Problems);
        Assert.Equal(CertificateProblemKinds.SubjectMismatch, problem.Kind);
        Assert.Contains("ambiguous", problem.Message, StringComparison.Ordinal);
        Assert.Contains($"2 common names ('{first}', '{second}')", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Many_common_names_are_listed_briefly()
    {
        string[] names = [.. Enumerable.Range(0, 50).Select(i => $"cn{i}")];

        string message = Assert.Single(LegacySubjectRule.Evaluate("cn0", names, LeafSubject).Problems).Message;

        Assert.Contains("50 common names", message, StringComparison.Ordinal);
        Assert.Contains("'cn9' and 40 more", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void An_empty_expected_subject_never_passes(string expected)
    {
        ValidationVerdict verdict = LegacySubjectRule.Evaluate(expected, [expected], LeafSubject);

        Assert.Contains("No subject common name is configured", Assert.Single(verdict.Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_common_name_fails_without_throwing()
    {
        ValidationVerdict verdict = LegacySubjectRule.Evaluate("server", [null!], null);

        CertificateProblem problem = Assert.Single(verdict.Problems);
        Assert.Null(problem.Subject);
        Assert.EndsWith("this certificate's is (null).", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_comparison_does_not_depend_on_the_current_culture()
    {
        CultureInfo saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("tr-TR");

            Assert.True(LegacySubjectRule.Evaluate("FILE.example", ["file.example"], LeafSubject).IsValid);
            Assert.False(LegacySubjectRule.Evaluate("FİLE.example", ["file.example"], LeafSubject).IsValid);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void Null_arguments_are_refused()
    {
        Assert.Throws<ArgumentNullException>(() => LegacySubjectRule.Evaluate(null!, [], LeafSubject));
        Assert.Throws<ArgumentNullException>(() => LegacySubjectRule.Evaluate("server", null!, LeafSubject));
    }
}
