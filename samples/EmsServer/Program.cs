using System.Globalization;
using CertPolicy.Samples.EmsServer;

// EmsServer: a TLS 1.3 management server on 127.0.0.1. One port serves the EMS line protocol and HTTPS
// (an HTTP/1.1 request such as GET /api/v1/licence, as EmsClient --http sends), with the same certificate.
//   --port P                                 the port (default 8443; 0 picks a free one)
//   --certificate cert.pem --key key.pem     present this certificate (the "use SSL certificate" setting on);
//                                            the PEM file holds the leaf first, then its intermediates
//   (neither)                                present the built-in vendor default certificate, self-signed
//   --print-fingerprints                     print the vendor default certificate's fingerprints (to distrust it) and exit
int port = 8443;
string? certificatePath = null;
string? keyPath = null;
for (int i = 0; i < args.Length; i++)
{
    string value = i + 1 < args.Length ? args[i + 1] : "";
    switch (args[i])
    {
        case "--port" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p <= 65535:
            port = p;
            i++;
            break;
        case "--certificate" when value.Length > 0:
            certificatePath = value;
            i++;
            break;
        case "--key" when value.Length > 0:
            keyPath = value;
            i++;
            break;
        case "--print-fingerprints":
            // Its private key ships with every server: agents should list one of these in DistrustedFingerprints.
            Console.WriteLine($"certificate SHA-256  {VendorDefaultCertificate.CertificateSha256}");
            Console.WriteLine($"public key (SPKI)    {VendorDefaultCertificate.PublicKeySha256}");
            return 0;
        case "--help" or "-h":
            Console.WriteLine("usage: EmsServer [--port P] [--certificate cert.pem --key key.pem] | --print-fingerprints");
            return 0;
        default:
            Console.Error.WriteLine($"EmsServer: unexpected or incomplete argument '{args[i]}'. Try --help.");
            return 1;
    }
}

if ((certificatePath is null) != (keyPath is null))
{
    Console.Error.WriteLine("EmsServer: --certificate and --key go together.");
    return 1;
}

ManagementServer server;
try
{
    server = certificatePath is null
        ? ManagementServer.StartWithVendorDefault(port)
        : ManagementServer.StartWithPemFiles(certificatePath, keyPath!, port);
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or System.Net.Sockets.SocketException or ArgumentException)
{
    Console.Error.WriteLine($"EmsServer: cannot start: {e.Message}");
    return 1;
}

await using (server)
{
    string which = certificatePath is null ? "the vendor default certificate (use SSL certificate: off)" : $"its own certificate from {certificatePath}";
    Console.WriteLine($"EMS server listening on {server.Address}:{server.Port} (EMS protocol and HTTPS: GET https://{server.Address}:{server.Port}/api/v1/licence), presenting {which}");
    Console.WriteLine($"  subject {server.Certificate.Subject}, SHA-256 {server.Certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256)}");
    Console.WriteLine("Press Ctrl+C to stop.");
    using var stopped = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stopped.Cancel();
    };
    AppDomain.CurrentDomain.ProcessExit += (_, _) => stopped.Cancel();
    try
    {
        await Task.Delay(Timeout.Infinite, stopped.Token);
    }
    catch (OperationCanceledException)
    {
    }
}

return 0;
