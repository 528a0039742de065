namespace CertPolicy.Cli.Judging;

/// <summary>Where the judged certificates came from: a server (check) or a file (inspect).</summary>
/// <param name="Command">"check" or "inspect".</param>
/// <param name="Description">In words, such as "127.0.0.1:8443 (TLS 1.3)" or "chain.pem (3 certificates)".</param>
/// <param name="Target">For check, the HOST:PORT connected to; for inspect, the file's full path.</param>
/// <param name="RemoteAddress">For check, the address connected to.</param>
/// <param name="TlsProtocol">For check, the negotiated protocol, such as "TLS 1.3".</param>
/// <param name="CertificateCount">How many certificates the server sent or the file holds.</param>
internal sealed record JudgedSource(string Command, string Description, string Target, string? RemoteAddress, string? TlsProtocol, int CertificateCount)
{
    /// <summary>For check, the negotiated cipher suite, such as "TLS_AES_256_GCM_SHA384".</summary>
    public string? CipherSuite { get; init; }

    /// <summary>For check with --save-chain, the file the presented chain was written to.</summary>
    public string? SavedChain { get; init; }

    /// <summary>For inspect, what was wrong with the file's order, and which certificate was judged as the leaf.</summary>
    public string? OrderNote { get; init; }
}
