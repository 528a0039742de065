using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.Approvals;
using CertPolicy.Tests.Decisions;
using CertPolicy.Tests.Handshake;
using CertPolicy.Tests.Support;

namespace CertPolicy.Tests.Prompts;

/// <summary>
/// What the user reads names the trust store the path was actually built to, over real TLS 1.3 handshakes on
/// 127.0.0.1: the system roots, a PEM file, a PEM folder, an in-memory store, a union.
/// </summary>
public sealed class PromptTextTests : IDisposable
{
    private static readonly Lazy<X509Certificate2> SelfSigned = new(() => TestPki.CreateSelfSignedLeaf("EMS Self-Signed", [HandshakePki.Host]));

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("system")]
    [InlineData("file")]
    [InlineData("folder")]
    [InlineData("memory")]
    public async Task An_untrusted_root_names_the_trust_store_used(string kind)
    {
        (TrustStore store, string expected) = kind switch
        {
            "system" => (TrustStore.System, "The certificate was issued by an authority that is not among this computer's trusted roots."),
            "file" => (TrustStore.FromPemFile(RootFile()), $"The certificate was issued by an authority that is not in the trust store {RootFile()}."),
            "folder" => (TrustStore.FromPemDirectory(RootFolder()), $"The certificate was issued by an authority that is not in the trust store folder {RootFolder()}."),
            _ => (TrustStore.FromCertificates([HandshakePki.Root]), "The certificate was issued by an authority that is not in the in-memory trust store."),
        };

        CertificatePromptRequest request = await AskedOverTlsAsync(SelfSigned.Value, store);

        Assert.Equal(CertificateProblemKinds.UntrustedRoot, request.ProblemKinds);
        Assert.Equal([expected], request.ProblemDescriptions);
        Assert.Contains(expected, request.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_issuer_names_the_PEM_file_it_is_not_in()
    {
        CertificatePromptRequest request = await AskedOverTlsAsync(HandshakePki.UntrustedRoot, TrustStore.FromPemFile(RootFile()));

        Assert.Equal(CertificateProblemKinds.PartialChain, request.ProblemKinds);
        Assert.Equal(
            [$"The certificate's issuer could not be found: the server did not send it and it is not in the trust store {RootFile()}, so where the certificate comes from cannot be checked."],
            request.ProblemDescriptions);
    }

    [Fact]
    public async Task A_union_of_stores_names_each_of_them()
    {
        TrustStore store = TrustStore.Combine(TrustStore.System, TrustStore.FromPemFile(RootFile()));

        CertificatePromptRequest request = await AskedOverTlsAsync(SelfSigned.Value, store);

        Assert.Equal(
            [$"The certificate was issued by an authority that is in neither this computer's trusted roots nor the trust store {RootFile()}."],
            request.ProblemDescriptions);
        Assert.Equal($"this computer's trusted roots and the trust store {RootFile()}", store.Description);
    }

    [Fact]
    public void Each_built_in_store_describes_itself_and_a_derived_one_has_a_default()
    {
        Assert.Equal("this computer's trusted roots", TrustStore.System.Description);
        Assert.Equal($"the trust store {RootFile()}", TrustStore.FromPemFile(RootFile()).Description);
        Assert.Equal($"the trust store folder {RootFolder()}", TrustStore.FromPemDirectory(RootFolder()).Description);
        Assert.Equal("the in-memory trust store", TrustStore.FromCertificates([]).Description);
        Assert.Equal("an empty trust store", TrustStore.Combine().Description);
        Assert.Equal("the application's own trust store", new ReplaceableTrustStore(HandshakePki.Root).Description);
    }

    [Fact]
    public void A_request_made_without_an_engine_does_not_guess_the_trust_store()
    {
        var request = new CertificatePromptRequest("test", Reports.Server, Reports.Leaf, Reports.Verdict(CertificateProblemKinds.UntrustedRoot));

        Assert.Equal(["The certificate was issued by an authority the agent does not trust."], request.ProblemDescriptions);
        Assert.Null(request.AnswerTimeout);
    }

    [Fact]
    public async Task The_engines_request_carries_the_prompt_timeout_and_the_public_key_pin()
    {
        CertificatePromptRequest request = await AskedOverTlsAsync(SelfSigned.Value, TrustStore.FromCertificates([]));

        Assert.Equal(TimeSpan.FromMinutes(2), request.AnswerTimeout);
        string pin = "sha256//" + Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(SelfSigned.Value.PublicKey.ExportSubjectPublicKeyInfo()));
        Assert.EndsWith($"Public key:  {pin}", request.ToString(), StringComparison.Ordinal);
    }

    private static async Task<CertificatePromptRequest> AskedOverTlsAsync(X509Certificate2 leaf, TrustStore store)
    {
        await using var server = LoopbackTlsServer.Start(leaf);
        using var agent = new Agent(InvalidCertificateAction.Warn, new ScriptedPrompt(PromptAnswer.Deny), trustStore: store);

        ClientResult result = await TlsClient.ConnectAsync(agent.Policy, ServerIdentity.Create(HandshakePki.Host, server.Port), server.Port);

        Assert.Equal(DecisionReason.DeniedByUser, result.Decision!.Reason);
        return Assert.Single(agent.Prompt.Requests);
    }

    private string RootFile()
    {
        string path = _folder.File("company-roots.pem");
        if (!File.Exists(path))
        {
            File.WriteAllText(path, TestPki.ToPem(HandshakePki.Root));
        }

        return path;
    }

    private string RootFolder()
    {
        string folder = Path.Combine(_folder.Path, "roots");
        if (!Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "root.pem"), TestPki.ToPem(HandshakePki.Root));
        }

        return folder;
    }
}
