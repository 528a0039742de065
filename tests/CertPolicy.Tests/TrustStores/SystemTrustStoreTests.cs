using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using static CertPolicy.Tests.TrustStores.TrustStoreCertificates;

namespace CertPolicy.Tests.TrustStores;

public sealed class SystemTrustStoreTests
{
    [Fact]
    public void The_system_store_loads_without_throwing()
    {
        TrustAnchors anchors = TrustStore.System.GetAnchors();

        Assert.NotNull(anchors);
        Assert.IsType<SystemTrustStore>(TrustStore.System);
        if (OperatingSystem.IsLinux() && Directory.Exists("/etc/ssl/certs") && Directory.EnumerateFiles("/etc/ssl/certs", "*.pem").Any())
        {
            Assert.Null(SystemTrustStore.Instance.LoadFailure);
            Assert.True(anchors.Count > 0, "The machine has CA certificates in /etc/ssl/certs, so the system store should too.");
        }
    }

    [Fact]
    public void The_system_store_returns_one_snapshot()
    {
        Assert.Same(TrustStore.System.GetAnchors(), TrustStore.System.GetAnchors());
        Assert.Same(TrustStore.System, TrustStore.System);
    }

    [Fact]
    public void An_unreadable_system_store_gives_no_anchor_and_records_why()
    {
        var failure = new CryptographicException("The store is not there.");
        var store = new SystemTrustStore(() => throw failure);

        TrustAnchors anchors = store.GetAnchors();

        Assert.Same(TrustAnchors.Empty, anchors);
        Assert.Same(failure, store.LoadFailure);
        Assert.Same(anchors, store.GetAnchors());
    }

    [Fact]
    public void The_certificates_read_are_copied_and_disposed()
    {
        X509Certificate2[] read = [X509CertificateLoader.LoadCertificate(RootA.RawData), X509CertificateLoader.LoadCertificate(RootB.RawData)];
        var store = new SystemTrustStore(() => [.. read]);

        TrustAnchors anchors = store.GetAnchors();

        Assert.Equal([RootA.RawData, RootB.RawData], anchors.Certificates.Select(c => c.ToArray()));
        Assert.Null(store.LoadFailure);
        Assert.All(read, certificate => Assert.Equal(IntPtr.Zero, certificate.Handle));
    }

    [Fact]
    public void The_system_store_is_read_once()
    {
        int reads = 0;
        var store = new SystemTrustStore(() =>
        {
            Interlocked.Increment(ref reads);
            return [X509CertificateLoader.LoadCertificate(RootA.RawData)];
        });

        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ => store.GetAnchors());

        Assert.Equal(1, reads);
    }
}
