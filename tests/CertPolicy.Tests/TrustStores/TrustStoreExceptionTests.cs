namespace CertPolicy.Tests.TrustStores;

public sealed class TrustStoreExceptionTests
{
    [Fact]
    public void The_file_and_entry_are_kept()
    {
        var cause = new IOException("disk on fire");

        var error = new TrustStoreException("bad entry", "/etc/certs/bundle.pem", 3, cause);

        Assert.Equal("bad entry", error.Message);
        Assert.Equal("/etc/certs/bundle.pem", error.FilePath);
        Assert.Equal(3, error.EntryIndex);
        Assert.Same(cause, error.InnerException);
    }

    [Fact]
    public void Without_a_file_there_is_no_path_and_no_entry()
    {
        var plain = new TrustStoreException("no store");
        var caused = new TrustStoreException("no store", new InvalidOperationException());
        var empty = new TrustStoreException();

        Assert.All([plain, caused, empty], error =>
        {
            Assert.Null(error.FilePath);
            Assert.Equal(-1, error.EntryIndex);
        });
    }
}
