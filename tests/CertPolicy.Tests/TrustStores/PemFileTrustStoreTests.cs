using System.Text;
using static CertPolicy.Tests.TrustStores.TrustStoreCertificates;

namespace CertPolicy.Tests.TrustStores;

public sealed class PemFileTrustStoreTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_bundle_with_one_certificate_loads_it()
    {
        string path = _folder.WriteText("one.pem", Pem(RootA));

        TrustAnchors anchors = TrustStore.FromPemFile(path).GetAnchors();

        Assert.Equal(RootA.RawData, Assert.Single(anchors.Certificates).ToArray());
    }

    [Fact]
    public void A_bundle_with_several_certificates_loads_them_in_file_order()
    {
        string path = _folder.WriteText("many.pem", Pem(RootB) + Pem(Intermediate) + Pem(RootA));

        TrustAnchors anchors = TrustStore.FromPemFile(path).GetAnchors();

        Assert.Equal([RootB.RawData, Intermediate.RawData, RootA.RawData], anchors.Certificates.Select(c => c.ToArray()));
    }

    [Fact]
    public void Crlf_line_endings_are_read()
    {
        string path = _folder.WriteText("crlf.pem", (Pem(RootA) + Pem(RootB)).ReplaceLineEndings("\r\n"));

        Assert.Equal(2, TrustStore.FromPemFile(path).GetAnchors().Count);
    }

    [Fact]
    public void Text_before_between_and_after_blocks_is_ignored()
    {
        string bundle =
            "## Certificate bundle, Mozilla style\n# Generated for tests\n\n" +
            "Trust Store Test Root A\n=======================\n" + Pem(RootA) +
            "\nNetLock Arany (Class Gold) F\u0151tan\u00fas\u00edtv\u00e1ny\n===\n" + Pem(RootB) +
            "\n# end of bundle\n";
        string path = _folder.WriteText("commented.pem", bundle);

        Assert.Equal(2, TrustStore.FromPemFile(path).GetAnchors().Count);
    }

    [Fact]
    public void A_private_key_block_is_skipped()
    {
        string path = _folder.WriteText("with-key.pem", Pem(RootA) + PrivateKeyPem() + Pem(RootB));

        TrustAnchors anchors = TrustStore.FromPemFile(path).GetAnchors();

        Assert.Equal([RootA.RawData, RootB.RawData], anchors.Certificates.Select(c => c.ToArray()));
    }

    [Fact]
    public void The_legacy_X509_CERTIFICATE_label_is_read_as_a_certificate()
    {
        string path = _folder.WriteText("legacy.pem", PemBlock("X509 CERTIFICATE", RootA.RawData));

        Assert.Equal(RootA.RawData, Assert.Single(TrustStore.FromPemFile(path).GetAnchors().Certificates).ToArray());
    }

    [Fact]
    public void An_X509_version_1_certificate_is_accepted()
    {
        byte[] v1 = VersionOneShape(RootA);
        string path = _folder.WriteText("v1.pem", PemBlock("CERTIFICATE", v1));

        Assert.Equal(v1, Assert.Single(TrustStore.FromPemFile(path).GetAnchors().Certificates).ToArray());
    }

    public static TheoryData<string> Encodings => ["utf-8-bom", "utf-16le-bom", "utf-16be-bom"];

    [Theory]
    [MemberData(nameof(Encodings))]
    public void A_byte_order_mark_selects_the_encoding(string encodingName)
    {
        Encoding encoding = encodingName switch
        {
            "utf-8-bom" => new UTF8Encoding(encoderShouldEmitUTF8Identifier: true),
            "utf-16le-bom" => new UnicodeEncoding(bigEndian: false, byteOrderMark: true),
            _ => new UnicodeEncoding(bigEndian: true, byteOrderMark: true),
        };
        string path = _folder.WriteText("encoded.pem", Pem(RootA), encoding);

        Assert.Equal(1, TrustStore.FromPemFile(path).GetAnchors().Count);
    }

    [Fact]
    public void Duplicate_certificates_are_kept_once()
    {
        string path = _folder.WriteText("dupes.pem", Pem(RootA) + Pem(RootB) + Pem(RootA));

        Assert.Equal(2, TrustStore.FromPemFile(path).GetAnchors().Count);
    }

    [Fact]
    public void The_store_is_a_snapshot_that_later_edits_to_the_file_do_not_change()
    {
        string path = _folder.WriteText("snapshot.pem", Pem(RootA));
        TrustStore store = TrustStore.FromPemFile(path);
        TrustAnchors first = store.GetAnchors();

        File.WriteAllText(path, Pem(RootB) + Pem(RootC));

        Assert.Same(first, store.GetAnchors());
        Assert.Equal(RootA.RawData, Assert.Single(first.Certificates).ToArray());
    }

    [Fact]
    public void A_relative_path_is_resolved_against_the_current_directory()
    {
        string path = _folder.WriteText("relative.pem", "not a bundle\n");
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, path);

        TrustStoreException error = Assert.Throws<TrustStoreException>(() => TrustStore.FromPemFile(relative));

        Assert.Equal(path, error.FilePath);
    }

    [Fact]
    public void Malformed_base64_fails_naming_the_file_the_entry_and_its_line()
    {
        string broken = Pem(RootB).Replace("-----\n", "-----\n!", StringComparison.Ordinal);
        string before = "# three roots\n" + Pem(RootA);
        string path = _folder.WriteText("bad-base64.pem", before + broken + Pem(RootC));

        TrustStoreException error = Assert.Throws<TrustStoreException>(() => TrustStore.FromPemFile(path));

        Assert.Equal(path, error.FilePath);
        Assert.Equal(1, error.EntryIndex);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains($"index 1 (line {LineOf(before)})", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_DER_entry_fails_naming_the_entry()
    {
        byte[] truncated = RootB.RawData[..^20];
        string before = Pem(RootA);
        string path = _folder.WriteText("truncated.pem", before + PemBlock("CERTIFICATE", truncated));

        TrustStoreException error = Assert.Throws<TrustStoreException>(() => TrustStore.FromPemFile(path));

        Assert.Equal(1, error.EntryIndex);
        Assert.Contains($"line {LineOf(before)}", error.Message, StringComparison.Ordinal);
        Assert.Contains("not a well-formed X.509 certificate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_signing_request_in_a_certificate_block_fails()
    {
        string path = _folder.WriteText("csr.pem", PemBlock("CERTIFICATE", SigningRequestDer()));

        TrustStoreException error = Assert.Throws<TrustStoreException>(() => TrustStore.FromPemFile(path));

        Assert.Equal(0, error.EntryIndex);
        Assert.Contains("not a well-formed X.509 certificate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_private_key_in_a_certificate_block_fails_without_quoting_it()
    {
        byte[] key = PrivateKeyDer();
        string path = _folder.WriteText("key-as-cert.pem", Pem(RootA) + PemBlock("CERTIFICATE", key));

        TrustStoreException error = Assert.Throws<TrustStoreException>(() => TrustStore.FromPemFile(path));

        Assert.Equal(1, error.EntryIndex);
        Assert.DoesNotContain(Convert.ToBase64String(key)[..16], error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_after_the_certificate_fail()
    {
        string path = _folder.WriteText("trailing.pem", PemBlock("CERTIFICATE", [.. RootA.RawData, 0x05, 0x00]));

        TrustStoreException error = Assert.Throws<TrustStoreException>(() => TrustStore.FromPemFile(path));

        Assert.Contains("after the certificate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_certificate_block_fails()
    {
        string path = _folder.WriteText("empty-block.pem", Pem(RootA) + "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");

        Assert.Equal(1, Assert.Throws<TrustStoreException>(() => TrustStore.FromPemFile(path)).EntryIndex);
    }

    public static TheoryData<string> BrokenPem => new()
    {
        { "-----BEGIN CERTIFICATE-----\nMIIB\n" },
        { "-----BEGIN CERTIFICATE-----\nAAAA\n-----END PRIVATE KEY-----\n" },
        { "AAAA\n-----END CERTIFICATE-----\n" },
        { "comment text-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n" },
    };

    [Theory]
    [MemberData(nameof(BrokenPem))]
    public void A_block_that_is_not_well_formed_PEM_fails_even_before_a_good_one(string broken)
    {
        string before = Pem(RootA) + PrivateKeyPem();
        string path = _folder.WriteText("broken.pem", before + broken + Pem(RootB));

        TrustStoreException error = Assert.Throws<TrustStoreException>(() => TrustStore.FromPemFile(path));

        Assert.Equal(2, error.EntryIndex);
        Assert.Contains("not a well-formed PEM block", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Blocks_run_together_on_one_line_fail()
    {
        string path = _folder.WriteText("joined.pem", Pem(RootA).TrimEnd('\n') + Pem(RootB));

        TrustStoreException error = Assert.Throws<TrustStoreException>(() => TrustStore.FromPemFile(path));

        Assert.Equal(0, error.EntryIndex);
    }

    [Fact]
    public void An_OpenSSL_trusted_certificate_is_refused()
    {
        string path = _folder.WriteText("trusted.pem", Pem(RootA) + PemBlock("TRUSTED CERTIFICATE", RootB.RawData));

        TrustStoreException error = Assert.Throws<TrustStoreException>(() => TrustStore.FromPemFile(path));

        Assert.Equal(1, error.EntryIndex);
        Assert.Contains("TRUSTED CERTIFICATE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_file_fails()
    {
        string path = _folder.WriteText("empty.pem", string.Empty);

        TrustStoreException error = Assert.Throws<TrustStoreException>(() => TrustStore.FromPemFile(path));

        Assert.Equal(path, error.FilePath);
        Assert.Equal(-1, error.EntryIndex);
        Assert.Contains("holds no PEM certificate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_with_only_a_private_key_fails()
    {
        string path = _folder.WriteText("key.pem", PrivateKeyPem());

        Assert.Contains("holds no PEM certificate", Assert.Throws<TrustStoreException>(() => TrustStore.FromPemFile(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_binary_DER_file_fails_with_a_hint_to_convert_it()
    {
        string path = _folder.WriteBytes("binary.cer", RootA.RawData);

        TrustStoreException error = Assert.Throws<TrustStoreException>(() => TrustStore.FromPemFile(path));

        Assert.Contains("binary DER", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_fails_naming_it()
    {
        string path = _folder.Combine("missing.pem");

        TrustStoreException error = Assert.Throws<TrustStoreException>(() => TrustStore.FromPemFile(path));

        Assert.Equal(path, error.FilePath);
        Assert.Equal(-1, error.EntryIndex);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.IsType<FileNotFoundException>(error.InnerException);
    }

    [Fact]
    public void A_directory_given_as_a_file_fails_naming_it()
    {
        TrustStoreException error = Assert.Throws<TrustStoreException>(() => TrustStore.FromPemFile(_folder.Path));

        Assert.Equal(_folder.Path, error.FilePath);
    }

    [Fact]
    public void A_file_larger_than_the_limit_fails_without_being_read_whole()
    {
        string path = _folder.Combine("huge.pem");
        using (var stream = File.Create(path))
        {
            stream.SetLength(17L * 1024 * 1024);
        }

        TrustStoreException error = Assert.Throws<TrustStoreException>(() => TrustStore.FromPemFile(path));

        Assert.Contains("larger than 16 MiB", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void A_blank_path_is_an_argument_error(string path)
    {
        Assert.Throws<ArgumentException>(() => TrustStore.FromPemFile(path));
    }

    [Fact]
    public void A_null_path_is_an_argument_error()
    {
        Assert.Throws<ArgumentNullException>(() => TrustStore.FromPemFile(null!));
    }

    /// <summary>The one-based line on which a block starts when it follows <paramref name="textBefore"/>.</summary>
    private static int LineOf(string textBefore) => textBefore.Count(c => c == '\n') + 1;
}
