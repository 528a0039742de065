namespace CertPolicy;

/// <summary>
/// The writers' lock: an exclusive OS lock on a sibling <c>.lock</c> file, taken with bounded, jittered back-off.
/// Readers never take it. A new lock file is given the owner and group of the approvals file (else of its folder), so
/// that a change made as root leaves a lock file the agent's account can still open.
/// </summary>
internal sealed class ApprovalFileLock : IDisposable
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(50);

    private readonly FileStream _stream;

    private ApprovalFileLock(FileStream stream) => _stream = stream;

    /// <summary>Takes the lock now, or returns null when another writer holds it.</summary>
    /// <param name="lockPath">The lock file.</param>
    /// <param name="filePath">The file the lock guards (for messages and ownership).</param>
    /// <param name="busy">Why the lock was not taken, when another writer holds it.</param>
    /// <exception cref="ApprovalStoreException">The lock file cannot be opened (folder missing, permission denied).</exception>
    public static ApprovalFileLock? TryAcquire(string lockPath, string filePath, out IOException? busy)
    {
        busy = null;
        bool existed = File.Exists(lockPath);
        try
        {
            var stream = new FileStream(lockPath, UnixFiles.PrivateFileOptions(FileMode.OpenOrCreate, FileAccess.ReadWrite));
            if (!existed)
            {
                UnixFiles.TryGiveOwnershipOf(lockPath, File.Exists(filePath) ? filePath : Path.GetDirectoryName(filePath)!);
            }

            return new ApprovalFileLock(stream);
        }
        catch (DirectoryNotFoundException ex)
        {
            throw new ApprovalStoreException($"The approvals folder '{Path.GetDirectoryName(filePath)}' does not exist.", filePath, ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ApprovalStoreException($"The approvals lock file '{lockPath}' cannot be opened: permission denied.", filePath, ex);
        }
        catch (IOException ex)
        {
            busy = ex;
            return null;
        }
    }

    /// <summary>Takes the lock, waiting with back-off (1 ms doubling to 50 ms, plus jitter) at most <paramref name="timeout"/>.</summary>
    /// <exception cref="ApprovalStoreException">Timed out, or the lock file cannot be opened.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static async ValueTask<ApprovalFileLock> AcquireAsync(string lockPath, string filePath, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        long started = timeProvider.GetTimestamp();
        TimeSpan delay = TimeSpan.FromMilliseconds(1);
        while (true)
        {
            ApprovalFileLock? acquired = TryAcquire(lockPath, filePath, out IOException? busy);
            if (acquired is not null)
            {
                return acquired;
            }

            if (timeProvider.GetElapsedTime(started) >= timeout)
            {
                throw new ApprovalStoreException(
                    $"Timed out after {timeout.TotalSeconds:0.#} s waiting for other writers of the approvals file '{filePath}' (lock file '{lockPath}').", filePath, busy);
            }

            TimeSpan jitter = TimeSpan.FromTicks(Random.Shared.NextInt64(delay.Ticks + 1));
            await Task.Delay(delay + jitter, timeProvider, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
        }
    }

    public void Dispose() => _stream.Dispose();
}
