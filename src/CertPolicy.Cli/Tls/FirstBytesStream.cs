namespace CertPolicy.Cli.Tls;

/// <summary>
/// Passes a stream through, keeping the first bytes the server sent, so that a failed handshake can say whether
/// the server answered with TLS at all (a TLS record starts with content type 0x15 or 0x16, then version 3.x).
/// </summary>
internal sealed class FirstBytesStream : Stream
{
    private const int Kept = 16;
    private readonly Stream _inner;
    private readonly byte[] _first = new byte[Kept];

    public FirstBytesStream(Stream inner)
    {
        _inner = inner;
    }

    /// <summary>The first bytes read (up to 16).</summary>
    public ReadOnlySpan<byte> First => _first.AsSpan(0, Count);

    private int Count { get; set; }

    /// <summary>True when the server sent something, and it does not start like a TLS record.</summary>
    public bool ReceivedNonTls => Count > 0 && !(_first[0] is 0x15 or 0x16 && (Count < 2 || _first[1] == 0x03));

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count)
    {
        int read = _inner.Read(buffer, offset, count);
        Keep(buffer.AsSpan(offset, read));
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Keep(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Keep(ReadOnlySpan<byte> read)
    {
        int take = Math.Min(Kept - Count, read.Length);
        if (take > 0)
        {
            read[..take].CopyTo(_first.AsSpan(Count));
            Count += take;
        }
    }
}
