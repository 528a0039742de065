using static CertPolicy.Tests.TrustStores.TrustStoreCertificates;

namespace CertPolicy.Tests.TrustStores;

public sealed class PemDirectoryTrustStoreTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Pem_crt_and_cer_files_are_read_in_ordinal_name_order()
    {
        string certs = Directory.CreateDirectory(_folder.Combine("certs")).FullName;
        File.WriteAllText(Path.Combine(certs, "b.crt"), Pem(RootB));
        File.WriteAllText(Path.Combine(certs, "C.PEM"), Pem(RootC));
        File.WriteAllText(Path.Combine(certs, "a.cer"), Pem(RootA) + Pem(Intermediate));

        TrustAnchors anchors = TrustStore.FromPemDirectory(certs).GetAnchors();

        Assert.Equal([RootC.RawData, RootA.RawData, Intermediate.RawData, RootB.RawData], anchors.Certificates.Select(c => c.ToArray()));
    }

    [Fact]
    public void Subfolders_hidden_files_and_other_files_are_ignored()
    {
        _folder.WriteText("root-a.pem", Pem(RootA));
        _folder.WriteText("readme.txt", "-----BEGIN CERTIFICATE-----\nnot base64\n");
        _folder.WriteText("root-a.pem.bak", "garbage");
        _folder.WriteText("1234abcd.r0", "garbage in a CRL hash name");
        _folder.WriteText("nested/root-b.pem", Pem(RootB));
        Directory.CreateDirectory(_folder.Combine("folder.pem"));
        if (!OperatingSystem.IsWindows())
        {
            _folder.WriteText(".hidden.pem", "garbage");
        }

        TrustAnchors anchors = TrustStore.FromPemDirectory(_folder.Path).GetAnchors();

        Assert.Equal(RootA.RawData, Assert.Single(anchors.Certificates).ToArray());
    }

    [Fact]
    public void A_malformed_file_fails_the_whole_directory_naming_that_file()
    {
        _folder.WriteText("1-good.pem", Pem(RootA));
        string bad = _folder.WriteText("2-bad.crt", Pem(RootB) + PemBlock("CERTIFICATE", SigningRequestDer()));
        _folder.WriteText("3-good.pem", Pem(RootC));

        TrustStoreException error = Assert.Throws<TrustStoreException>(() => TrustStore.FromPemDirectory(_folder.Path));

        Assert.Equal(bad, error.FilePath);
        Assert.Equal(1, error.EntryIndex);
        Assert.Contains(bad, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_file_without_a_certificate_fails_the_directory()
    {
        _folder.WriteText("root.pem", Pem(RootA));
        string key = _folder.WriteText("key.pem", PrivateKeyPem());

        TrustStoreException error = Assert.Throws<TrustStoreException>(() => TrustStore.FromPemDirectory(_folder.Path));

        Assert.Equal(key, error.FilePath);
    }

    [Fact]
    public void A_certificate_in_several_files_is_kept_once()
    {
        _folder.WriteText("bundle.crt", Pem(RootA) + Pem(RootB));
        _folder.WriteText("root-a.pem", Pem(RootA));
        _folder.WriteText("root-b.pem", Pem(RootB));

        TrustAnchors anchors = TrustStore.FromPemDirectory(_folder.Path).GetAnchors();

        Assert.Equal([RootA.RawData, RootB.RawData], anchors.Certificates.Select(c => c.ToArray()));
    }

    [Fact]
    public void An_OpenSSL_hashed_link_directory_loads_each_certificate_once()
    {
        // The layout update-ca-certificates makes: named links to files elsewhere, hash links to the named links,
        // and a bundle of everything.
        string share = Directory.CreateDirectory(_folder.Combine("share")).FullName;
        string certs = Directory.CreateDirectory(_folder.Combine("certs")).FullName;
        File.WriteAllText(Path.Combine(share, "Root_A.crt"), Pem(RootA));
        File.WriteAllText(Path.Combine(share, "Root_B.crt"), Pem(RootB));
        _folder.Link("certs/Root_A.pem", Path.Combine(share, "Root_A.crt"));
        _folder.Link("certs/Root_B.pem", Path.Combine(share, "Root_B.crt"));
        _folder.Link("certs/0a1b2c3d.0", "Root_A.pem");
        _folder.Link("certs/9f8e7d6c.0", "Root_B.pem");
        _folder.Link("certs/9f8e7d6c.1", "Root_B.pem");
        File.WriteAllText(Path.Combine(certs, "ca-certificates.crt"), Pem(RootA) + Pem(RootB));

        TrustAnchors anchors = TrustStore.FromPemDirectory(certs).GetAnchors();

        Assert.Equal([RootA.RawData, RootB.RawData], anchors.Certificates.Select(c => c.ToArray()));
    }

    [Fact]
    public void A_directory_of_hash_named_files_only_is_read()
    {
        _folder.WriteText("0a1b2c3d.0", Pem(RootA));
        _folder.WriteText("0A1B2C3D.12", Pem(RootB));

        Assert.Equal(2, TrustStore.FromPemDirectory(_folder.Path).GetAnchors().Count);
    }

    [Fact]
    public void A_broken_link_fails_naming_it()
    {
        _folder.WriteText("root-a.pem", Pem(RootA));
        string broken = _folder.Link("gone.pem", _folder.Combine("nowhere.crt"));

        TrustStoreException error = Assert.Throws<TrustStoreException>(() => TrustStore.FromPemDirectory(_folder.Path));

        Assert.Equal(broken, error.FilePath);
    }

    [Fact]
    public void An_empty_directory_fails()
    {
        TrustStoreException error = Assert.Throws<TrustStoreException>(() => TrustStore.FromPemDirectory(_folder.Path));

        Assert.Equal(_folder.Path, error.FilePath);
        Assert.Contains("holds no certificate file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_with_only_other_files_fails()
    {
        _folder.WriteText("notes.txt", Pem(RootA));
        _folder.WriteText("sub/root.pem", Pem(RootA));

        Assert.Throws<TrustStoreException>(() => TrustStore.FromPemDirectory(_folder.Path));
    }

    [Fact]
    public void A_missing_directory_fails_naming_it()
    {
        string path = _folder.Combine("missing");

        TrustStoreException error = Assert.Throws<TrustStoreException>(() => TrustStore.FromPemDirectory(path));

        Assert.Equal(path, error.FilePath);
        Assert.Equal(-1, error.EntryIndex);
        Assert.IsType<DirectoryNotFoundException>(error.InnerException);
    }

    [Fact]
    public void A_file_given_as_a_directory_fails()
    {
        string path = _folder.WriteText("root.pem", Pem(RootA));

        Assert.Equal(path, Assert.Throws<TrustStoreException>(() => TrustStore.FromPemDirectory(path)).FilePath);
    }

    [Theory]
    [InlineData("root.pem", true)]
    [InlineData("root.CRT", true)]
    [InlineData("root.Cer", true)]
    [InlineData("5ad8a5d6.0", true)]
    [InlineData("5AD8A5D6.10", true)]
    [InlineData("5ad8a5d6.r0", false)]
    [InlineData("5ad8a5d6.", false)]
    [InlineData("5ad8a5g6.0", false)]
    [InlineData("5ad8a5d.0", false)]
    [InlineData("5ad8a5d6a.0", false)]
    [InlineData("root.pem.bak", false)]
    [InlineData("root.der", false)]
    [InlineData("pem", false)]
    public void Certificate_file_names_are_recognised(string name, bool expected)
    {
        Assert.Equal(expected, PemDirectoryReader.IsCertificateFileName(name));
    }
}
