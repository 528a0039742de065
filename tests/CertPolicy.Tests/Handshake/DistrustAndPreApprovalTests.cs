using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.Support;

namespace CertPolicy.Tests.Handshake;

/// <summary>
/// The administrator's word over real TLS 1.3 handshakes on 127.0.0.1: a distrusted certificate is refused under every
/// action, without asking and whatever was approved or pinned; a pre-approved (pinned) one connects without asking.
/// Fingerprints are given in both forms: the certificate's SHA-256 in hexadecimal and the public key's sha256//BASE64.
/// </summary>
public sealed class DistrustAndPreApprovalTests
{
    public static TheoryData<InvalidCertificateAction, bool> ActionsAndForms => new()
    {
        { InvalidCertificateAction.Allow, false },
        { InvalidCertificateAction.Allow, true },
        { InvalidCertificateAction.Warn, false },
        { InvalidCertificateAction.Warn, true },
        { InvalidCertificateAction.Deny, false },
        { InvalidCertificateAction.Deny, true },
    };

    public static TheoryData<InvalidCertificateAction, bool> WarnAndDeny => new()
    {
        { InvalidCertificateAction.Warn, false },
        { InvalidCertificateAction.Warn, true },
        { InvalidCertificateAction.Deny, false },
        { InvalidCertificateAction.Deny, true },
    };

    [Theory]
    [MemberData(nameof(ActionsAndForms))]
    public async Task A_distrusted_certificate_is_refused_without_asking_even_when_approved_and_pinned(InvalidCertificateAction action, bool byKey)
    {
        await using var server = LoopbackTlsServer.Start(HandshakePki.VendorDefault);
        var approvals = new InMemoryApprovalStore();
        using (var before = new Agent(InvalidCertificateAction.Warn, new ScriptedPrompt(PromptAnswer.Allow), approvals))
        {
            Assert.True((await TlsClient.ConnectAsync(before.Policy, Identity(server), server.Port)).Connected);
        }

        string fingerprint = Fingerprint(HandshakePki.VendorDefault, byKey);
        using var agent = new Agent(action, new ScriptedPrompt(PromptAnswer.Allow), approvals, configure: options =>
        {
            options.DistrustedFingerprints.Add(fingerprint);
            options.PreApprovedFingerprints.Add(fingerprint);
        });

        ClientResult viaAsync = await TlsClient.ConnectAsync(agent.Policy, Identity(server), server.Port);
        ClientResult viaCallback = await TlsClient.ConnectWithCallbackAsync(agent.Policy, Identity(server), server.Port);

        Assert.False(viaAsync.Connected);
        Assert.False(viaCallback.Connected);
        Assert.Equal(DecisionReason.Distrusted, viaAsync.Decision!.Reason);
        Assert.Contains("distrust list", viaAsync.Decision.Message, StringComparison.Ordinal);
        Assert.Contains(byKey ? fingerprint : fingerprint.ToUpperInvariant(), viaAsync.Decision.Message, StringComparison.Ordinal);
        Assert.Equal(0, agent.Prompt.Calls);
        Assert.Single(approvals.List());
        Assert.Contains(agent.Logs.Collector.GetSnapshot(), r => r.Id.Id == 4011 && r.Id.Name == nameof(DecisionReason.Distrusted));
    }

    [Theory]
    [InlineData(false, "The server's certificate")]
    [InlineData(true, "A certificate of its path")]
    public async Task A_valid_certificate_is_refused_when_it_or_its_issuer_key_is_distrusted(bool distrustIssuerKey, string which)
    {
        await using var server = LoopbackTlsServer.Start(HandshakePki.Valid);
        string fingerprint = distrustIssuerKey ? Fingerprint(HandshakePki.Root, byKey: true) : Fingerprint(HandshakePki.Valid, byKey: false);
        using var agent = new Agent(InvalidCertificateAction.Allow, configure: o => o.DistrustedFingerprints.Add(fingerprint));

        ClientResult result = await TlsClient.ConnectAsync(agent.Policy, Identity(server), server.Port);

        Assert.False(result.Connected);
        Assert.Equal(DecisionReason.Distrusted, result.Decision!.Reason);
        Assert.True(result.Decision.Report.IsValid);
        Assert.Contains(which, result.Decision.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(WarnAndDeny))]
    public async Task A_pinned_self_signed_certificate_connects_silently_and_its_report_keeps_its_problems(InvalidCertificateAction action, bool byKey)
    {
        await using var server = LoopbackTlsServer.Start(HandshakePki.VendorDefault);
        using var agent = new Agent(action, new ScriptedPrompt(PromptAnswer.Deny), configure: o => o.PreApprovedFingerprints.Add(Fingerprint(HandshakePki.VendorDefault, byKey)));

        ClientResult viaAsync = await TlsClient.ConnectAsync(agent.Policy, Identity(server), server.Port);
        ClientResult viaCallback = await TlsClient.ConnectWithCallbackAsync(agent.Policy, Identity(server), server.Port);

        Assert.Equal(TlsClient.Message, viaAsync.Echo);
        Assert.Equal(TlsClient.Message, viaCallback.Echo);
        Assert.Equal(DecisionReason.PreApproved, viaAsync.Decision!.Reason);
        Assert.True(viaAsync.Decision.Report.Verdict.Kinds.HasFlag(CertificateProblemKinds.UntrustedRoot));
        Assert.True(viaAsync.Decision.Report.Verdict.Kinds.HasFlag(CertificateProblemKinds.NameMismatch));
        Assert.Equal(0, agent.Prompt.Calls);
        Assert.Empty(agent.Approvals.List());
        Assert.Equal("pre_approved", agent.LastReason);
    }

    [Fact]
    public async Task A_pin_for_one_server_does_not_apply_to_another_and_a_host_pin_covers_every_port()
    {
        await using var server = LoopbackTlsServer.Start(HandshakePki.UntrustedRoot);
        string fingerprint = Fingerprint(HandshakePki.UntrustedRoot, byKey: false);
        using var elsewhere = new Agent(InvalidCertificateAction.Deny, configure: o => o.PreApprovedFingerprints.Add($"other.example.test={fingerprint}"));
        using var otherPort = new Agent(InvalidCertificateAction.Deny, configure: o => o.PreApprovedFingerprints.Add($"{HandshakePki.Host}:{(server.Port == 1 ? 2 : 1)}={fingerprint}"));
        using var anyPort = new Agent(InvalidCertificateAction.Deny, configure: o => o.PreApprovedFingerprints.Add($"{HandshakePki.Host.ToUpperInvariant()}={fingerprint}"));
        using var thisPort = new Agent(InvalidCertificateAction.Deny, configure: o => o.PreApprovedFingerprints.Add($"{HandshakePki.Host}:{server.Port}={fingerprint}"));

        Assert.Equal(DecisionReason.DeniedByPolicy, (await TlsClient.ConnectAsync(elsewhere.Policy, Identity(server), server.Port)).Decision!.Reason);
        Assert.Equal(DecisionReason.DeniedByPolicy, (await TlsClient.ConnectAsync(otherPort.Policy, Identity(server), server.Port)).Decision!.Reason);
        Assert.Equal(DecisionReason.PreApproved, (await TlsClient.ConnectAsync(anyPort.Policy, Identity(server), server.Port)).Decision!.Reason);
        Assert.Equal(DecisionReason.PreApproved, (await TlsClient.ConnectAsync(thisPort.Policy, Identity(server), server.Port)).Decision!.Reason);
    }

    [Fact]
    public async Task A_pin_of_another_certificate_leaves_the_question_to_the_user()
    {
        await using var server = LoopbackTlsServer.Start(HandshakePki.UntrustedRoot);
        using var agent = new Agent(InvalidCertificateAction.Warn, new ScriptedPrompt(PromptAnswer.Deny), configure: o => o.PreApprovedFingerprints.Add(Fingerprint(HandshakePki.UntrustedRootReissued, byKey: false)));

        ClientResult result = await TlsClient.ConnectAsync(agent.Policy, Identity(server), server.Port);

        Assert.False(result.Connected);
        Assert.Equal(DecisionReason.DeniedByUser, result.Decision!.Reason);
        Assert.Equal(1, agent.Prompt.Calls);
    }

    [Fact]
    public async Task The_prompt_names_the_names_a_mismatched_certificate_carries()
    {
        await using var server = LoopbackTlsServer.Start(HandshakePki.WrongName);
        using var agent = new Agent(InvalidCertificateAction.Warn, new ScriptedPrompt(PromptAnswer.Deny));

        Assert.False((await TlsClient.ConnectAsync(agent.Policy, Identity(server), server.Port)).Connected);

        CertificatePromptRequest request = Assert.Single(agent.Prompt.Requests);
        Assert.Contains(
            "The certificate was issued for a different server name or address. It names other.example.test; the agent expected ems.example.test.",
            request.ProblemDescriptions);
    }

    [Theory]
    [InlineData("DistrustedFingerprints", "sha256//not-base64!")]
    [InlineData("DistrustedFingerprints", "ABCD")]
    [InlineData("PreApprovedFingerprints", "sha256//AAAA")]
    [InlineData("PreApprovedFingerprints", "host:99999=sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")]
    public void A_malformed_fingerprint_is_a_typed_error_naming_the_setting_and_entry(string setting, string entry)
    {
        var options = new CertificateDecisionEngineOptions();
        (setting == "DistrustedFingerprints" ? options.DistrustedFingerprints : options.PreApprovedFingerprints).Add(entry);
        var validator = new CertificateValidator(new CertificateValidatorOptions { TrustStore = TrustStore.FromCertificates([HandshakePki.Root]) });

        ArgumentException error = Assert.Throws<ArgumentException>(() => new CertificateDecisionEngine(validator, options));

        Assert.Equal(setting, error.ParamName);
        Assert.Contains("Entry 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Both_forms_are_read_with_separators_and_in_any_case()
    {
        byte[] digest = SHA256.HashData(HandshakePki.VendorDefault.PublicKey.ExportSubjectPublicKeyInfo());
        string hex = HandshakePki.VendorDefault.GetCertHashString(HashAlgorithmName.SHA256);

        Assert.True(FingerprintPattern.TryParse(string.Join(':', hex.ToLowerInvariant().Chunk(2).Select(c => new string(c))), out FingerprintPattern byCertificate, out _));
        Assert.True(FingerprintPattern.TryParse("SHA256//" + Convert.ToBase64String(digest), out FingerprintPattern byKey, out _));

        Assert.Equal(new FingerprintPattern(FingerprintSubject.Certificate, hex), byCertificate);
        Assert.Equal(new FingerprintPattern(FingerprintSubject.PublicKey, Convert.ToHexString(digest)), byKey);
        Assert.Equal("sha256//" + Convert.ToBase64String(digest), byKey.ToString());
    }

    internal static string Fingerprint(X509Certificate2 certificate, bool byKey) => byKey
        ? "sha256//" + Convert.ToBase64String(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()))
        : certificate.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant();

    private static ServerIdentity Identity(LoopbackTlsServer server) => ServerIdentity.Create(HandshakePki.Host, server.Port);
}
