using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertPolicy;

/// <summary>
/// Approvals kept in a JSON file, shared safely by every process of the user that uses the same path.
/// </summary>
/// <remarks>
/// <para>
/// Changes take an exclusive lock on a sibling <c>.lock</c> file (waiting with bounded back-off), re-read the file
/// under the lock so no other writer's change is lost, write a temporary file in the same folder, flush it to disk
/// and rename it over the file. Readers take no lock: they see the old file or the new one, never a mix.
/// </para>
/// <para>
/// On Unix the file, the lock file and any folder this store creates are readable by the user alone (0600 and
/// 0700). A corrupt or unreadable file is renamed to <c>&lt;name&gt;.corrupt-&lt;UTC time&gt;</c> (never over an
/// existing file), logged as an error, and the approvals start empty. A file with a newer schema version is left
/// alone: it reads as empty and changes fail.
/// </para>
/// <para>
/// Reads are served from memory and the file is parsed again only when its length or last write time changes
/// (every write by this class changes at least one of them).
/// </para>
/// </remarks>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The SemaphoreSlim never allocates a wait handle (AvailableWaitHandle is not used), so it holds nothing to dispose.")]
public sealed class FileApprovalStore : ApprovalStore
{
    private const UnixFileMode FileMode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode DirectoryMode0700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private static readonly string TooLargeProblem = $"the file is larger than {ApprovalFileFormat.MaxFileBytes} bytes";

    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Lock _readGate = new();
    private readonly string _lockPath;
    private readonly string _tempPath;
    private Snapshot _snapshot = Snapshot.NotLoaded;
    private FileStamp? _lastReportedProblem;

    /// <summary>Creates a store over a file; the file and its folder are created on the first change.</summary>
    /// <param name="filePath">The approvals file. A relative path is taken from the current directory.</param>
    /// <param name="timeProvider">The clock for lock waits and the names of corrupt files moved aside; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="loggerFactory">Where errors such as a corrupt file are logged; none when null.</param>
    /// <exception cref="ArgumentException">The path is empty or not a valid path.</exception>
    public FileApprovalStore(string filePath, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        FilePath = Path.GetFullPath(filePath);
        if (Path.EndsInDirectorySeparator(FilePath))
        {
            throw new ArgumentException($"The approvals path '{filePath}' names a folder, not a file.", nameof(filePath));
        }

        _lockPath = FilePath + ".lock";
        _tempPath = FilePath + ".tmp";
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)loggerFactory?.CreateLogger<FileApprovalStore>() ?? NullLogger.Instance;
    }

    /// <summary>
    /// The default approvals file: <c>CertPolicy/approvals.json</c> in the account's local application data folder
    /// (<c>%LOCALAPPDATA%</c> on Windows, <c>$XDG_DATA_HOME</c> or <c>~/.local/share</c> on Linux); null when the
    /// account has no such folder.
    /// </summary>
    public static string? DefaultFilePath
    {
        get
        {
            string root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
            return string.IsNullOrEmpty(root) ? null : Path.Combine(root, "CertPolicy", "approvals.json");
        }
    }

    /// <summary>The approvals file's full path.</summary>
    public string FilePath { get; }

    /// <summary>How long a change waits for other writers before it fails. Default: 10 seconds.</summary>
    internal TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <inheritdoc/>
    public override CertificateApproval? Find(ServerIdentity server, string certificateSha256)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(certificateSha256);
        return Fingerprint.TryNormalize(certificateSha256, out string? sha256)
            ? Current().Approvals.GetValueOrDefault(new ApprovalKey(server.Host, server.Port, sha256))
            : null;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<CertificateApproval> List() => Current().Ordered;

    /// <summary>
    /// Looks at the file (one stat; a read only when it changed, which raises <see cref="ApprovalStore.Changed"/>),
    /// so that a change made by another process (a second agent, the <c>certpolicy approvals</c> tool) moves
    /// <see cref="ApprovalStore.Version"/> before a cached decision is reused.
    /// </summary>
    internal override long RefreshVersion()
    {
        Snapshot current = Current();

        // A view that was not kept (a damaged file left in place, a failed read) is not the approvals any cached
        // decision was taken from.
        return ReferenceEquals(current, Volatile.Read(ref _snapshot)) ? Version : UnsettledVersion;
    }

    /// <inheritdoc/>
    public override async ValueTask SaveAsync(CertificateApproval approval, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(approval);
        ApprovalKey key = approval.Key;
        await ChangeAsync(
            entries =>
            {
                entries.RemoveAll(e => ApprovalFileFormat.KeyOf(e) == key);
                entries.Add(ApprovalFileFormat.ToEntry(approval));
                return (true, true);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async ValueTask<bool> ForgetAsync(ServerIdentity server, string certificateSha256, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        var key = new ApprovalKey(server.Host, server.Port, Fingerprint.Normalize(certificateSha256, nameof(certificateSha256)));
        return await ChangeAsync(
            entries =>
            {
                bool removed = entries.RemoveAll(e => ApprovalFileFormat.KeyOf(e) == key) > 0;
                return (removed, removed);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async ValueTask<int> ForgetAllAsync(ServerIdentity server, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        return await ChangeAsync(
            entries =>
            {
                int removed = entries.RemoveAll(e => ApprovalFileFormat.KeyOf(e) is { } k && k.Host == server.Host && k.Port == server.Port);
                return (removed, removed > 0);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The approvals as the file holds them now, parsing it again only when it changed.</summary>
    private Snapshot Current()
    {
        FileStamp stamp = FileStamp.OfPath(FilePath);
        Snapshot snapshot = Volatile.Read(ref _snapshot);
        if (snapshot.Stamp == stamp)
        {
            return snapshot;
        }

        Snapshot loaded;
        lock (_readGate)
        {
            snapshot = Volatile.Read(ref _snapshot);
            if (snapshot.Stamp == stamp)
            {
                return snapshot;
            }

            loaded = LoadForReading();
            if (!loaded.Cacheable)
            {
                return loaded;
            }

            Volatile.Write(ref _snapshot, loaded);
        }

        if (!ReferenceEquals(snapshot, Snapshot.NotLoaded))
        {
            OnChanged();
        }

        return loaded;
    }

    /// <summary>Reads the file without the writers' lock: thanks to the atomic rename it is always whole.</summary>
    private Snapshot LoadForReading()
    {
        ReadResult read = ReadFile();
        switch (read.Status)
        {
            case ReadStatus.Missing:
                return Snapshot.Empty(FileStamp.Missing);
            case ReadStatus.TransientFailure:
                Log.ApprovalsFileReadFailed(_logger, read.Error!, FilePath);
                return Snapshot.Empty(read.Stamp, cacheable: false);
            case ReadStatus.Unreadable:
                return HandleDamagedFileWhileReading(read.Stamp, "the file cannot be read", read.Error);
            case ReadStatus.TooLarge:
                return HandleDamagedFileWhileReading(read.Stamp, TooLargeProblem, null);
        }

        try
        {
            return Snapshot.From(ApprovalFileFormat.Parse(read.Bytes), read.Stamp);
        }
        catch (ApprovalFileCorruptException ex)
        {
            return HandleDamagedFileWhileReading(read.Stamp, ex.Message, ex);
        }
        catch (ApprovalFileVersionException ex)
        {
            if (_lastReportedProblem != read.Stamp)
            {
                _lastReportedProblem = read.Stamp;
                Log.ApprovalsFileNewerVersion(_logger, FilePath, ex.Version);
            }

            return Snapshot.Empty(read.Stamp);
        }
    }

    /// <summary>
    /// Moves a damaged file aside if the writers' lock is free right now (never waiting: readers must stay fast);
    /// otherwise leaves it for the next reader or writer. Either way the approvals read as empty.
    /// </summary>
    private Snapshot HandleDamagedFileWhileReading(FileStamp stamp, string problem, Exception? error)
    {
        if (_writeGate.Wait(0))
        {
            try
            {
                using FileStream? fileLock = TryOpenLockFile(out _);
                if (fileLock is not null)
                {
                    // Under the lock, and only if the damaged file is still the one at the path.
                    if (FileStamp.OfPath(FilePath) == stamp)
                    {
                        MoveAside(problem, error);
                    }

                    return Snapshot.Empty(FileStamp.OfPath(FilePath), cacheable: false);
                }
            }
            catch (ApprovalStoreException ex)
            {
                error = ex;
            }
            finally
            {
                _writeGate.Release();
            }
        }

        if (_lastReportedProblem != stamp)
        {
            _lastReportedProblem = stamp;
            Log.ApprovalsFileCorruptKept(_logger, error, FilePath, problem);
        }

        return Snapshot.Empty(stamp, cacheable: false);
    }

    private async ValueTask<T> ChangeAsync<T>(Func<List<ApprovalEntryModel>, (T Result, bool Changed)> change, CancellationToken cancellationToken)
    {
        T result;
        bool changed;
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using FileStream fileLock = await AcquireLockFileAsync(cancellationToken).ConfigureAwait(false);
            (ApprovalFileModel model, FileStamp stamp) = LoadForWriting();
            (result, changed) = change(model.Approvals);
            if (changed)
            {
                stamp = WriteAtomically(model, stamp);
            }

            Snapshot previous = Volatile.Read(ref _snapshot);
            changed = previous.Stamp != stamp;
            if (changed)
            {
                lock (_readGate)
                {
                    Volatile.Write(ref _snapshot, Snapshot.From(model, stamp));
                }
            }
        }
        finally
        {
            _writeGate.Release();
        }

        if (changed)
        {
            OnChanged();
        }

        return result;
    }

    /// <summary>Reads the file under the lock. A damaged file is moved aside; anything else that stops the read fails the change.</summary>
    private (ApprovalFileModel Model, FileStamp Stamp) LoadForWriting()
    {
        ReadResult read = ReadFile();
        switch (read.Status)
        {
            case ReadStatus.Missing:
                return (ApprovalFileFormat.Empty(), FileStamp.Missing);
            case ReadStatus.TransientFailure:
                throw new ApprovalStoreException($"The approvals file '{FilePath}' could not be read, so it was not changed.", FilePath, read.Error);
            case ReadStatus.Unreadable:
                MoveAside("the file cannot be read", read.Error);
                return (ApprovalFileFormat.Empty(), FileStamp.Missing);
            case ReadStatus.TooLarge:
                MoveAside(TooLargeProblem, null);
                return (ApprovalFileFormat.Empty(), FileStamp.Missing);
        }

        try
        {
            return (ApprovalFileFormat.Parse(read.Bytes), read.Stamp);
        }
        catch (ApprovalFileCorruptException ex)
        {
            MoveAside(ex.Message, ex);
            return (ApprovalFileFormat.Empty(), FileStamp.Missing);
        }
        catch (ApprovalFileVersionException ex)
        {
            throw new ApprovalStoreException($"The approvals file '{FilePath}' was not changed: {ex.Message}", FilePath, ex);
        }
    }

    private ReadResult ReadFile()
    {
        try
        {
            // An empty file holds no approvals, so it is not opened. This also keeps readers from blocking forever on a
            // named pipe (FIFO) put at the path, which reports a length of zero and whose opening waits for a writer.
            var info = new FileInfo(FilePath);
            if (info.Exists && info.Length == 0)
            {
                return new ReadResult(ReadStatus.Read, new FileStamp(true, 0, info.LastWriteTimeUtc), [], null);
            }

            using Microsoft.Win32.SafeHandles.SafeFileHandle handle = File.OpenHandle(
                FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);

            // The stamp comes from the open handle, so it always describes the bytes read.
            long length = RandomAccess.GetLength(handle);
            var stamp = new FileStamp(true, length, File.GetLastWriteTimeUtc(handle));
            if (length > ApprovalFileFormat.MaxFileBytes)
            {
                return new ReadResult(ReadStatus.TooLarge, stamp, [], null);
            }

            byte[] bytes = new byte[length];
            int total = 0;
            while (total < bytes.Length)
            {
                int count = RandomAccess.Read(handle, bytes.AsSpan(total), total);
                if (count == 0)
                {
                    break;
                }

                total += count;
            }

            return new ReadResult(ReadStatus.Read, stamp, total == bytes.Length ? bytes : bytes[..total], null);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return new ReadResult(ReadStatus.Missing, FileStamp.Missing, [], null);
        }
        catch (UnauthorizedAccessException ex)
        {
            return new ReadResult(ReadStatus.Unreadable, FileStamp.OfPath(FilePath), [], ex);
        }
        catch (IOException ex)
        {
            return new ReadResult(ReadStatus.TransientFailure, FileStamp.Missing, [], ex);
        }
    }

    /// <summary>Renames the damaged file to a name no file has yet, keeping its content. Call only under the lock.</summary>
    private void MoveAside(string problem, Exception? error)
    {
        string stamp = _timeProvider.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        for (int attempt = 0; attempt < 100; attempt++)
        {
            string aside = attempt == 0
                ? $"{FilePath}.corrupt-{stamp}"
                : string.Create(CultureInfo.InvariantCulture, $"{FilePath}.corrupt-{stamp}-{attempt}");
            if (File.Exists(aside) || Directory.Exists(aside))
            {
                continue;
            }

            try
            {
                File.Move(FilePath, aside, overwrite: false);
                Log.ApprovalsFileMovedAside(_logger, error, FilePath, problem, aside);
                return;
            }
            catch (IOException) when (File.Exists(aside))
            {
                // Another name was taken in the meantime: try the next.
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new ApprovalStoreException($"The approvals file '{FilePath}' is damaged ({problem}) and could not be moved aside.", FilePath, ex);
            }
        }

        throw new ApprovalStoreException($"The approvals file '{FilePath}' is damaged ({problem}) and no free name was found to move it aside.", FilePath, error);
    }

    /// <summary>Writes the model to the temporary file, flushes it to disk, and renames it over the file. Call only under the lock.</summary>
    /// <returns>The new file's stamp.</returns>
    private FileStamp WriteAtomically(ApprovalFileModel model, FileStamp previous)
    {
        byte[] bytes = ApprovalFileFormat.Serialize(model);
        FileStamp written;
        try
        {
            if (File.Exists(_tempPath))
            {
                // Left by a writer that died before renaming: no writer can be using it, since we hold the lock.
                File.Delete(_tempPath);
            }

            using (var stream = new FileStream(_tempPath, CreateOptions(FileMode.CreateNew, FileAccess.Write)))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
                DateTime lastWrite = File.GetLastWriteTimeUtc(stream.SafeFileHandle);
                if (previous.Exists && previous.Length == bytes.Length && lastWrite <= previous.LastWriteUtc)
                {
                    // Readers notice changes by length and last write time: make sure at least one differs.
                    lastWrite = previous.LastWriteUtc.AddTicks(10);
                    File.SetLastWriteTimeUtc(stream.SafeFileHandle, lastWrite);
                }

                written = new FileStamp(true, bytes.Length, lastWrite);
            }

            File.Move(_tempPath, FilePath, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDeleteTemporaryFile();
            throw new ApprovalStoreException($"The approvals file '{FilePath}' could not be written; it was left as it was.", FilePath, ex);
        }

        return written;
    }

    private void TryDeleteTemporaryFile()
    {
        try
        {
            if (File.Exists(_tempPath))
            {
                File.Delete(_tempPath);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Harmless: the next writer deletes it under the lock.
        }
    }

    private async ValueTask<FileStream> AcquireLockFileAsync(CancellationToken cancellationToken)
    {
        long started = _timeProvider.GetTimestamp();
        TimeSpan delay = TimeSpan.FromMilliseconds(1);
        while (true)
        {
            FileStream? fileLock = TryOpenLockFile(out IOException? busy);
            if (fileLock is not null)
            {
                return fileLock;
            }

            if (_timeProvider.GetElapsedTime(started) >= LockTimeout)
            {
                throw new ApprovalStoreException(
                    $"Timed out after {LockTimeout.TotalSeconds:0.#} s waiting for other writers of the approvals file '{FilePath}' (lock file '{_lockPath}').", FilePath, busy);
            }

            TimeSpan jitter = TimeSpan.FromTicks(Random.Shared.NextInt64(delay.Ticks + 1));
            await Task.Delay(delay + jitter, _timeProvider, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMilliseconds(50).Ticks));
        }
    }

    /// <summary>Opens the lock file exclusively (an OS file lock), or returns null when another writer holds it.</summary>
    private FileStream? TryOpenLockFile(out IOException? busy)
    {
        busy = null;
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(_lockPath, CreateOptions(FileMode.OpenOrCreate, FileAccess.ReadWrite));
            }
            catch (DirectoryNotFoundException) when (attempt == 0)
            {
                CreateDirectory();
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or DirectoryNotFoundException)
            {
                throw new ApprovalStoreException($"The approvals lock file '{_lockPath}' cannot be opened.", FilePath, ex);
            }
            catch (IOException ex)
            {
                busy = ex;
                return null;
            }
        }
    }

    private void CreateDirectory()
    {
        string directory = Path.GetDirectoryName(FilePath)!;
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, DirectoryMode0700);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ApprovalStoreException($"The approvals folder '{directory}' cannot be created.", FilePath, ex);
        }
    }

    private static FileStreamOptions CreateOptions(FileMode mode, FileAccess access)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = FileShare.None, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode0600;
        }

        return options;
    }

    private enum ReadStatus
    {
        Read,
        Missing,
        TooLarge,
        Unreadable,
        TransientFailure,
    }

    private readonly record struct ReadResult(ReadStatus Status, FileStamp Stamp, byte[] Bytes, Exception? Error);

    /// <summary>What identifies a version of the file without reading it.</summary>
    private readonly record struct FileStamp(bool Exists, long Length, DateTime LastWriteUtc)
    {
        public static FileStamp Missing => default;

        public static FileStamp OfPath(string path)
        {
            var info = new FileInfo(path);
            return info.Exists ? new FileStamp(true, info.Length, info.LastWriteTimeUtc) : Missing;
        }
    }

    /// <summary>An immutable view of the approvals at one version of the file.</summary>
    private sealed class Snapshot
    {
        private Snapshot(FileStamp stamp, Dictionary<ApprovalKey, CertificateApproval> approvals, bool cacheable)
        {
            Stamp = stamp;
            Approvals = approvals;
            Ordered = ApprovalOrder.Sort(approvals.Values);
            Cacheable = cacheable;
        }

        /// <summary>Before the first read; matches no stamp, not even that of a missing file.</summary>
        public static Snapshot NotLoaded { get; } = new(new FileStamp(false, -1, default), [], cacheable: true);

        public FileStamp Stamp { get; }

        public Dictionary<ApprovalKey, CertificateApproval> Approvals { get; }

        public CertificateApproval[] Ordered { get; }

        /// <summary>False for a view that must not be reused: a failed read, or a damaged file left in place.</summary>
        public bool Cacheable { get; }

        public static Snapshot Empty(FileStamp stamp, bool cacheable = true) => new(stamp, [], cacheable);

        public static Snapshot From(ApprovalFileModel model, FileStamp stamp)
        {
            var approvals = new Dictionary<ApprovalKey, CertificateApproval>();
            foreach (ApprovalEntryModel entry in model.Approvals)
            {
                CertificateApproval approval = ApprovalFileFormat.ToApproval(entry);
                approvals[approval.Key] = approval;
            }

            return new Snapshot(stamp, approvals, cacheable: true);
        }
    }
}
