using System.Security.Cryptography.X509Certificates;
using static CertPolicy.Tests.TrustStores.TrustStoreCertificates;

namespace CertPolicy.Tests.TrustStores;

public sealed class InMemoryTrustStoreTests
{
    [Fact]
    public void Certificates_are_copied_so_they_may_be_disposed_afterwards()
    {
        X509Certificate2 copy = X509CertificateLoader.LoadCertificate(RootA.RawData);
        TrustStore store = TrustStore.FromCertificates([copy]);
        copy.Dispose();

        Assert.Equal(RootA.RawData, Assert.Single(store.GetAnchors().Certificates).ToArray());
    }

    [Fact]
    public void Duplicates_are_kept_once_in_first_seen_order()
    {
        TrustStore store = TrustStore.FromCertificates([RootB, RootA, X509CertificateLoader.LoadCertificate(RootB.RawData)]);

        Assert.Equal([RootB.RawData, RootA.RawData], store.GetAnchors().Certificates.Select(c => c.ToArray()));
    }

    [Fact]
    public void No_certificate_makes_a_store_that_trusts_nothing()
    {
        Assert.Equal(0, TrustStore.FromCertificates([]).GetAnchors().Count);
    }

    [Fact]
    public void A_null_certificate_is_an_argument_error()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => TrustStore.FromCertificates([RootA, null!]));

        Assert.Equal("certificates", error.ParamName);
    }

    [Fact]
    public void A_null_list_is_an_argument_error()
    {
        Assert.Throws<ArgumentNullException>(() => TrustStore.FromCertificates(null!));
    }

    [Fact]
    public void The_store_returns_one_snapshot()
    {
        TrustStore store = TrustStore.FromCertificates([RootA]);

        Assert.Same(store.GetAnchors(), store.GetAnchors());
    }
}
