using System.Net;
using System.Net.Security;
using System.Security.Authentication;

namespace CertPolicy.Cli.Tls;

/// <summary>What a server presented in one TLS handshake: its certificates (leaf first) and how the handshake went.</summary>
/// <param name="Certificates">The DER of each certificate the server sent, leaf first; empty when it sent none.</param>
/// <param name="RemoteEndPoint">The address connected to.</param>
/// <param name="Protocol">The negotiated protocol version.</param>
/// <param name="CipherSuite">The negotiated cipher suite.</param>
internal sealed record FetchedCertificates(IReadOnlyList<ReadOnlyMemory<byte>> Certificates, EndPoint? RemoteEndPoint, SslProtocols Protocol, TlsCipherSuite CipherSuite);
