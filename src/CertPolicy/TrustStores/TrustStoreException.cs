namespace CertPolicy;

/// <summary>A trust store could not be loaded. The message names the file and, where one is at fault, the entry.</summary>
public sealed class TrustStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TrustStoreException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public TrustStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public TrustStoreException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception naming the file and entry at fault.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="filePath">The file at fault.</param>
    /// <param name="entryIndex">The zero-based index of the PEM entry at fault, or -1.</param>
    /// <param name="innerException">The cause.</param>
    public TrustStoreException(string message, string? filePath, int entryIndex, Exception? innerException = null)
        : base(message, innerException)
    {
        FilePath = filePath;
        EntryIndex = entryIndex;
    }

    /// <summary>The full path of the file (or directory) at fault, when one is.</summary>
    public string? FilePath { get; }

    /// <summary>
    /// The zero-based index of the PEM entry at fault within <see cref="FilePath"/>, or -1 when the fault is not one
    /// entry's (an unreadable or empty file, for example). Every PEM block counts, including the skipped
    /// non-certificate ones, so the index is the block's position in the file; the message also gives its line.
    /// </summary>
    public int EntryIndex { get; } = -1;
}
