namespace CertPolicy;

/// <summary>What a <c>stat</c> tells about a version of a file without reading it: existence, length, last write time.</summary>
/// <remarks>
/// Equal stamps do not prove equal content: two writes within one tick of a coarse file-system clock can leave the
/// same length and time. <see cref="ApprovalSnapshot"/> says when a stamp alone may be trusted.
/// </remarks>
internal readonly record struct FileStamp(bool Exists, long Length, DateTime LastWriteUtc)
{
    public static FileStamp Missing => default;

    /// <summary>The stamp of whatever file is at the path now; <see cref="Missing"/> for no file (or a folder).</summary>
    public static FileStamp OfPath(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? new FileStamp(true, info.Length, info.LastWriteTimeUtc) : Missing;
    }
}
