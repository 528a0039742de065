using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertPolicy;

/// <summary>
/// Approvals kept in a JSON file, shared safely by every process that uses the same path.
/// </summary>
/// <remarks>
/// <para>
/// Changes take an exclusive lock on a sibling <c>.lock</c> file (waiting with bounded back-off), re-read the file
/// under the lock so no other writer's change is lost, write a temporary file in the same folder, flush it to disk
/// and rename it over the file. Readers take no lock: they see the old file or the new one, never a mix. A rewritten
/// file keeps the mode of the file it replaces, and on Linux its owner and group too; when this account cannot give
/// it that owner, the change fails and the file is left as it was.
/// </para>
/// <para>
/// On Unix a new file and lock file are readable by their owner alone (0600), and a missing folder is created (0700)
/// on the first change (never by a read; a caller that must not create folders checks the path first, as the
/// <c>certpolicy</c> tool does). A damaged file (not an approvals file,
/// or too large) is renamed to <c>&lt;name&gt;.corrupt-&lt;UTC time&gt;</c> (never over an existing file), logged as
/// an error, and the approvals start empty. A file this account may not read is logged as a permission failure,
/// reads as empty and is never moved; a folder at the path likewise. A file with a newer schema version is left alone:
/// it reads as empty and changes fail.
/// </para>
/// <para>
/// Reads are served from memory. A change made by another process is noticed on the next read or
/// <see cref="RefreshVersion"/> without relying on the file system's timestamp resolution: one <c>stat</c> when the
/// length or last write time differs or when the file was last written more than 3 seconds before it was read; in
/// the 3 seconds after a write, a read of the file and a comparison of its bytes.
/// </para>
/// <para>
/// A store opened with <see cref="OpenReadOnly"/> never creates, renames, locks or writes anything: a damaged,
/// unreadable or newer file makes <see cref="Find"/> and <see cref="List"/> throw instead.
/// </para>
/// </remarks>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The SemaphoreSlim never allocates a wait handle (AvailableWaitHandle is not used), so it holds nothing to dispose.")]
public sealed class FileApprovalStore : ApprovalStore
{
    private static readonly string TooLargeProblem = $"the file is larger than {ApprovalFileFormat.MaxFileBytes} bytes";

    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Lock _readGate = new();
    private readonly string _lockPath;
    private ApprovalSnapshot _snapshot = ApprovalSnapshot.NotLoaded;
    private FileStamp? _lastReportedProblem;

    /// <summary>Creates a store over a file; the file and its folder are created on the first change.</summary>
    /// <param name="filePath">The approvals file. A relative path is taken from the current directory.</param>
    /// <param name="timeProvider">The clock for lock waits, change checks and the names of damaged files moved aside; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="loggerFactory">Where errors such as a damaged file are logged; none when null.</param>
    /// <exception cref="ArgumentException">The path is empty or not a valid path.</exception>
    public FileApprovalStore(string filePath, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
        : this(filePath, timeProvider, loggerFactory, readOnly: false)
    {
    }

    private FileApprovalStore(string filePath, TimeProvider? timeProvider, ILoggerFactory? loggerFactory, bool readOnly)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        FilePath = Path.GetFullPath(filePath);
        if (Path.EndsInDirectorySeparator(FilePath))
        {
            throw new ArgumentException($"The approvals path '{filePath}' names a folder, not a file.", nameof(filePath));
        }

        _lockPath = FilePath + ".lock";
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)loggerFactory?.CreateLogger<FileApprovalStore>() ?? NullLogger.Instance;
        IsReadOnly = readOnly;
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

    /// <summary>True for a store opened with <see cref="OpenReadOnly"/>.</summary>
    public bool IsReadOnly { get; }

    /// <summary>How long a change waits for other writers before it fails. Default: 10 seconds.</summary>
    internal TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Opens an approvals file for reading only, for tools that inspect an agent's file: the store never creates,
    /// renames, locks or writes anything, and a file it cannot use (damaged, unreadable, a folder, a newer schema) is
    /// reported by an <see cref="ApprovalStoreException"/> from <see cref="Find"/> and <see cref="List"/> instead of
    /// being moved aside or read as empty. A missing file holds no approvals.
    /// </summary>
    /// <param name="filePath">The approvals file.</param>
    /// <param name="timeProvider">The clock for change checks; <see cref="TimeProvider.System"/> when null.</param>
    /// <returns>The store; its changes throw <see cref="InvalidOperationException"/>.</returns>
    /// <exception cref="ArgumentException">The path is empty or not a valid path.</exception>
    public static FileApprovalStore OpenReadOnly(string filePath, TimeProvider? timeProvider = null) =>
        new(filePath, timeProvider, loggerFactory: null, readOnly: true);

    /// <inheritdoc/>
    public override CertificateApproval? Find(ServerIdentity server, CertificateFingerprint certificate)
    {
        ArgumentNullException.ThrowIfNull(server);
        return Current().Approvals.GetValueOrDefault(new ApprovalKey(server.Host, server.Port, certificate));
    }

    /// <inheritdoc/>
    public override IReadOnlyList<CertificateApproval> FindForServer(ServerIdentity server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return Current().ByServer.GetValueOrDefault((server.Host, server.Port)) ?? [];
    }

    /// <inheritdoc/>
    public override IReadOnlyList<CertificateApproval> List() => Current().Ordered;

    /// <summary>
    /// Looks at the file, so that a change made by another process (a second agent, the <c>certpolicy approvals</c>
    /// tool) moves <see cref="ApprovalStore.Version"/> before a cached decision is reused: one <c>stat</c>, plus a read
    /// and byte comparison in the few seconds after the file was written (see the remarks on the class). Returns
    /// <see cref="ApprovalStore.UnsettledVersion"/> while the file is damaged, unreadable or a folder.
    /// </summary>
    /// <returns>The version after the check, or <see cref="ApprovalStore.UnsettledVersion"/>.</returns>
    public override long RefreshVersion()
    {
        ApprovalSnapshot current;
        try
        {
            current = Current();
        }
        catch (ApprovalStoreException)
        {
            return UnsettledVersion;
        }

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
                foreach (ApprovalEntryModel other in entries)
                {
                    if (other.ReplacedAt is null && ApprovalFileFormat.KeyOf(other) is { } k && k.Host == key.Host && k.Port == key.Port)
                    {
                        other.ReplacedAt = approval.ApprovedAt;
                    }
                }

                entries.Add(ApprovalFileFormat.ToEntry(approval));
                return (true, true);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async ValueTask<bool> ForgetAsync(ServerIdentity server, CertificateFingerprint certificate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        var key = new ApprovalKey(server.Host, server.Port, certificate);
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

    /// <inheritdoc/>
    /// <remarks>
    /// One rewrite of the file, under its lock: every entry goes, including those a newer version wrote that this one
    /// cannot read. With nothing remembered, nothing is written. The rewritten file keeps its owner, group and mode.
    /// </remarks>
    public override async ValueTask<int> ForgetEverythingAsync(CancellationToken cancellationToken = default)
    {
        return await ChangeAsync(
            entries =>
            {
                int removed = entries.Count;
                entries.Clear();
                return (removed, removed > 0);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The approvals as the file holds them now, parsing it again only when it changed.</summary>
    private ApprovalSnapshot Current()
    {
        ApprovalSnapshot snapshot = Volatile.Read(ref _snapshot);
        StampCheck check = snapshot.Check(FileStamp.OfPath(FilePath));
        if (check == StampCheck.Unchanged)
        {
            return snapshot;
        }

        DateTimeOffset readStarted = _timeProvider.GetUtcNow();
        ApprovalFileRead read = ApprovalFileRead.From(FilePath);
        if (check == StampCheck.CompareContent && read.Status == ReadStatus.Read && read.Stamp == snapshot.Stamp && read.Bytes.AsSpan().SequenceEqual(snapshot.Content))
        {
            // Lock-free: the same approvals; once the file's last write is old enough, a stat alone will do.
            ApprovalSnapshot confirmed = snapshot.Confirmed(readStarted);
            if (!ReferenceEquals(confirmed, snapshot))
            {
                Interlocked.CompareExchange(ref _snapshot, confirmed, snapshot);
            }

            return snapshot;
        }

        ApprovalSnapshot loaded;
        bool changed;
        lock (_readGate)
        {
            ApprovalSnapshot latest = Volatile.Read(ref _snapshot);
            if (!ReferenceEquals(latest, snapshot) && latest.Check(read.Stamp) == StampCheck.Unchanged)
            {
                return latest;
            }

            loaded = LoadForReading(read, latest, readStarted);
            if (!loaded.Cacheable)
            {
                return loaded;
            }

            changed = !ReferenceEquals(latest, ApprovalSnapshot.NotLoaded) && !loaded.Content.AsSpan().SequenceEqual(latest.Content);
            Volatile.Write(ref _snapshot, loaded);
        }

        if (changed)
        {
            OnChanged();
        }

        return loaded;
    }

    /// <summary>Makes a view of a read done without the writers' lock: thanks to the atomic rename the file is always whole.</summary>
    private ApprovalSnapshot LoadForReading(ApprovalFileRead read, ApprovalSnapshot previous, DateTimeOffset readStarted)
    {
        switch (read.Status)
        {
            case ReadStatus.Missing:
                return ApprovalSnapshot.Empty(FileStamp.Missing);
            case ReadStatus.TransientFailure:
                Log.ApprovalsFileReadFailed(_logger, read.Error!, FilePath);
                return IsReadOnly
                    ? throw new ApprovalStoreException($"The approvals file '{FilePath}' could not be read: {read.Error!.Message}", FilePath, read.Error)
                    : ApprovalSnapshot.Empty(read.Stamp, cacheable: false);
            case ReadStatus.PermissionDenied:
                return Unusable(read, $"The approvals file '{FilePath}' cannot be read: permission denied for this account.", () => Log.ApprovalsFilePermissionDenied(_logger, read.Error!, FilePath));
            case ReadStatus.IsFolder:
                return Unusable(read, $"The approvals file '{FilePath}' is a folder, not a file.", () => Log.ApprovalsPathIsFolder(_logger, FilePath));
            case ReadStatus.TooLarge:
                return HandleDamagedFileWhileReading(read.Stamp, TooLargeProblem, null);
        }

        if (previous.Stamp.Exists && read.Bytes.AsSpan().SequenceEqual(previous.Content))
        {
            return previous.Restamped(read.Stamp, read.Bytes, readStarted);
        }

        try
        {
            return ApprovalSnapshot.From(ApprovalFileFormat.Parse(read.Bytes), read.Stamp, read.Bytes, readStarted);
        }
        catch (ApprovalFileCorruptException ex)
        {
            return HandleDamagedFileWhileReading(read.Stamp, ex.Message, ex);
        }
        catch (ApprovalFileVersionException ex)
        {
            return Unusable(read, $"The approvals file '{FilePath}' is not read: {ex.Message}", () => Log.ApprovalsFileNewerVersion(_logger, FilePath, ex.Version), cacheable: true);
        }
    }

    /// <summary>A file that is used as empty and left as it is (read-only: reported by an exception). Logged once per version.</summary>
    private ApprovalSnapshot Unusable(ApprovalFileRead read, string message, Action log, bool cacheable = false)
    {
        if (IsReadOnly)
        {
            throw new ApprovalStoreException(message, FilePath, read.Error);
        }

        if (_lastReportedProblem != read.Stamp)
        {
            _lastReportedProblem = read.Stamp;
            log();
        }

        return ApprovalSnapshot.Empty(read.Stamp, cacheable);
    }

    /// <summary>
    /// Moves a damaged file aside if the writers' lock is free right now (never waiting: readers must stay fast);
    /// otherwise leaves it for the next reader or writer. Either way the approvals read as empty.
    /// </summary>
    private ApprovalSnapshot HandleDamagedFileWhileReading(FileStamp stamp, string problem, Exception? error)
    {
        if (IsReadOnly)
        {
            throw new ApprovalStoreException($"The approvals file '{FilePath}' is damaged: {problem}. It was left as it is.", FilePath, error);
        }

        if (Directory.Exists(Path.GetDirectoryName(FilePath)) && _writeGate.Wait(0))
        {
            try
            {
                using ApprovalFileLock? fileLock = ApprovalFileLock.TryAcquire(_lockPath, FilePath, out _);
                if (fileLock is not null)
                {
                    // Under the lock, and only if the damaged file is still the one at the path.
                    if (FileStamp.OfPath(FilePath) == stamp)
                    {
                        MoveAside(problem, error);
                    }

                    return ApprovalSnapshot.Empty(FileStamp.OfPath(FilePath), cacheable: false);
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

        return ApprovalSnapshot.Empty(stamp, cacheable: false);
    }

    private async ValueTask<T> ChangeAsync<T>(Func<List<ApprovalEntryModel>, (T Result, bool Changed)> change, CancellationToken cancellationToken)
    {
        if (IsReadOnly)
        {
            throw new InvalidOperationException($"The approvals file '{FilePath}' was opened read-only.");
        }

        T result;
        bool changed;
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            EnsureFolder();
            using ApprovalFileLock fileLock = await ApprovalFileLock.AcquireAsync(_lockPath, FilePath, LockTimeout, _timeProvider, cancellationToken).ConfigureAwait(false);
            DateTimeOffset readStarted = _timeProvider.GetUtcNow();
            (ApprovalFileModel model, FileStamp stamp, byte[] content) = LoadForWriting();
            (result, changed) = change(model.Approvals);
            if (changed)
            {
                content = ApprovalFileFormat.Serialize(model);
                stamp = AtomicFileReplace.Write(FilePath, content, stamp);
            }

            ApprovalSnapshot previous = Volatile.Read(ref _snapshot);
            changed = previous.Stamp != stamp || !previous.Content.AsSpan().SequenceEqual(content);
            if (changed)
            {
                lock (_readGate)
                {
                    Volatile.Write(ref _snapshot, ApprovalSnapshot.From(model, stamp, content, readStarted));
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

    /// <summary>Creates the file's folder when it is missing; fails when a file stands where the folder should be.</summary>
    private void EnsureFolder()
    {
        string folder = Path.GetDirectoryName(FilePath)!;
        if (File.Exists(folder))
        {
            throw new ApprovalStoreException($"The approvals folder '{folder}' is a file, not a folder.", FilePath);
        }

        if (!Directory.Exists(folder))
        {
            UnixFiles.CreateFolder(folder, FilePath);
        }
    }

    /// <summary>Reads the file under the lock. A damaged file is moved aside; anything else that stops the read fails the change.</summary>
    private (ApprovalFileModel Model, FileStamp Stamp, byte[] Content) LoadForWriting()
    {
        ApprovalFileRead read = ApprovalFileRead.From(FilePath);
        switch (read.Status)
        {
            case ReadStatus.Missing:
                return (ApprovalFileFormat.Empty(), FileStamp.Missing, []);
            case ReadStatus.TransientFailure:
                throw new ApprovalStoreException($"The approvals file '{FilePath}' could not be read, so it was not changed.", FilePath, read.Error);
            case ReadStatus.PermissionDenied:
                throw new ApprovalStoreException($"The approvals file '{FilePath}' cannot be read: permission denied for this account. It was not changed.", FilePath, read.Error);
            case ReadStatus.IsFolder:
                throw new ApprovalStoreException($"The approvals file '{FilePath}' is a folder, not a file. Nothing was changed.", FilePath);
            case ReadStatus.TooLarge:
                MoveAside(TooLargeProblem, null);
                return (ApprovalFileFormat.Empty(), FileStamp.Missing, []);
        }

        try
        {
            return (ApprovalFileFormat.Parse(read.Bytes), read.Stamp, read.Bytes);
        }
        catch (ApprovalFileCorruptException ex)
        {
            MoveAside(ex.Message, ex);
            return (ApprovalFileFormat.Empty(), FileStamp.Missing, []);
        }
        catch (ApprovalFileVersionException ex)
        {
            throw new ApprovalStoreException($"The approvals file '{FilePath}' was not changed: {ex.Message}", FilePath, ex);
        }
    }

    private void MoveAside(string problem, Exception? error)
    {
        string aside = ApprovalFileQuarantine.MoveAside(FilePath, problem, _timeProvider.GetUtcNow(), error);
        Log.ApprovalsFileMovedAside(_logger, error, FilePath, problem, aside);
    }
}
