namespace CertPolicy;

/// <summary>An approval store could not be read or changed. When thrown by a change, nothing was changed.</summary>
public sealed class ApprovalStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ApprovalStoreException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public ApprovalStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ApprovalStoreException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception naming the file at fault.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="filePath">The file.</param>
    /// <param name="innerException">The cause.</param>
    public ApprovalStoreException(string message, string? filePath, Exception? innerException = null)
        : base(message, innerException)
    {
        FilePath = filePath;
    }

    /// <summary>The file at fault, when there is one.</summary>
    public string? FilePath { get; }
}
