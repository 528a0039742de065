using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertPolicy;

/// <summary>
/// Questions no one could answer (a headless agent, or a prompt that timed out), kept in a JSON file beside the
/// approvals (<c>&lt;approvals&gt;.pending.json</c>, see <see cref="FilePathFor"/>) until an administrator or an
/// agent's own tray application answers them: <see cref="ApproveAsync"/> turns one into a remembered approval,
/// <see cref="DenyAsync"/> removes it. One question per server and certificate, however many connections ask it
/// and from however many processes: a new attempt updates its problems, last-seen time and attempt count.
/// </summary>
/// <remarks>
/// The file is handled as the approvals file is (see <see cref="FileApprovalStore"/>): changes take an exclusive lock
/// on a sibling <c>.lock</c> file, re-read the file under it and replace it atomically, keeping its owner and mode;
/// a damaged file is moved aside to <c>&lt;name&gt;.corrupt-&lt;UTC time&gt;</c> and the questions start empty;
/// reads take no lock and notice other processes' changes without relying on timestamp resolution. The file holds
/// at most <see cref="MaxQuestions"/> questions: beyond that a new question is not recorded (logged as an error),
/// while questions already there are still updated. Nothing here is trusted: a question is only a record of what
/// was seen, and an approval is given only for a question that exists, for exactly its problems.
/// </remarks>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The SemaphoreSlim never allocates a wait handle (AvailableWaitHandle is not used), so it holds nothing to dispose.")]
public sealed class PendingQuestionStore
{
    /// <summary>The most questions the file holds.</summary>
    public const int MaxQuestions = 1000;

    private const string FileSuffix = ".pending.json";

    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly string _lockPath;
    private View _view = View.NotLoaded;
    private FileStamp? _lastReportedProblem;

    /// <summary>Creates a store over a file; the file and its folder are created when the first question is recorded.</summary>
    /// <param name="filePath">The pending-questions file; usually <see cref="FilePathFor"/> of the approvals file.</param>
    /// <param name="timeProvider">The clock of first-seen and last-seen times, lock waits and change checks; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="loggerFactory">Where a damaged file or a full store is logged; none when null.</param>
    /// <exception cref="ArgumentException">The path is empty or names a folder.</exception>
    public PendingQuestionStore(string filePath, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
        : this(filePath, timeProvider, loggerFactory, readOnly: false)
    {
    }

    private PendingQuestionStore(string filePath, TimeProvider? timeProvider, ILoggerFactory? loggerFactory, bool readOnly)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        FilePath = Path.GetFullPath(filePath);
        if (Path.EndsInDirectorySeparator(FilePath))
        {
            throw new ArgumentException($"The pending-questions path '{filePath}' names a folder, not a file.", nameof(filePath));
        }

        _lockPath = FilePath + ".lock";
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)loggerFactory?.CreateLogger<PendingQuestionStore>() ?? NullLogger.Instance;
        IsReadOnly = readOnly;
    }

    /// <summary>
    /// Opens a pending-questions file for reading only, for tools that list an agent's questions: the store never
    /// creates, renames, locks or writes anything, and a file it cannot use (damaged, unreadable, a folder, a newer
    /// schema) is reported by an <see cref="ApprovalStoreException"/> from <see cref="List"/> and <see cref="Find"/>
    /// instead of being moved aside or read as empty. A missing file holds no questions.
    /// </summary>
    /// <param name="filePath">The pending-questions file.</param>
    /// <param name="timeProvider">The clock of change checks; <see cref="TimeProvider.System"/> when null.</param>
    /// <returns>The store; its changes throw <see cref="InvalidOperationException"/>.</returns>
    /// <exception cref="ArgumentException">The path is empty or names a folder.</exception>
    public static PendingQuestionStore OpenReadOnly(string filePath, TimeProvider? timeProvider = null) =>
        new(filePath, timeProvider, loggerFactory: null, readOnly: true);

    /// <summary>True for a store opened with <see cref="OpenReadOnly"/>.</summary>
    public bool IsReadOnly { get; }

    /// <summary>The pending-questions file's full path.</summary>
    public string FilePath { get; }

    /// <summary>The most questions kept: <see cref="MaxQuestions"/> (lower in tests).</summary>
    internal int Limit { get; set; } = MaxQuestions;

    /// <summary>How long a change waits for other writers before it fails. Default: 10 seconds.</summary>
    internal TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The pending-questions file that goes with an approvals file: <c>&lt;approvals file&gt;.pending.json</c>.</summary>
    /// <param name="approvalsFilePath">The approvals file.</param>
    /// <returns>The full path of its pending-questions file.</returns>
    public static string FilePathFor(string approvalsFilePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(approvalsFilePath);
        return Path.GetFullPath(approvalsFilePath) + FileSuffix;
    }

    /// <summary>The questions waiting for an answer, oldest first. A damaged or unreadable file reads as empty (and is logged); read-only, it throws.</summary>
    /// <returns>The questions.</returns>
    /// <exception cref="ApprovalStoreException">Read-only (<see cref="OpenReadOnly"/>): the file cannot be used (damaged, unreadable, a folder, a newer schema); it was left as it is.</exception>
    public IReadOnlyList<PendingQuestion> List() => Current().Questions;

    /// <summary>The question for this server and certificate, if one is waiting.</summary>
    /// <param name="server">The server.</param>
    /// <param name="certificate">The certificate's fingerprint.</param>
    /// <returns>The question, or null.</returns>
    /// <exception cref="ApprovalStoreException">Read-only (<see cref="OpenReadOnly"/>): the file cannot be used; it was left as it is.</exception>
    public PendingQuestion? Find(ServerIdentity server, CertificateFingerprint certificate)
    {
        ArgumentNullException.ThrowIfNull(server);
        var key = new ApprovalKey(server.Host, server.Port, certificate);
        return Current().Questions.FirstOrDefault(q => q.Key == key);
    }

    /// <summary>
    /// Records that a connection asked <paramref name="request"/> and no one answered: adds the question, or updates
    /// the one already there for the same server and certificate (problems, last seen, one more attempt).
    /// </summary>
    /// <param name="request">The question.</param>
    /// <param name="cancellationToken">Stops waiting for other writers.</param>
    /// <returns>The question as recorded.</returns>
    /// <exception cref="ApprovalStoreException">The file could not be changed, or it already holds <see cref="MaxQuestions"/> other questions; nothing was changed.</exception>
    public async ValueTask<PendingQuestion> RecordAsync(CertificatePromptRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        CertificateSummary certificate = request.Certificate;
        var fingerprint = CertificateFingerprint.Parse(certificate.Sha256Fingerprint);
        var key = new ApprovalKey(request.Server.Host, request.Server.Port, fingerprint);
        return await ChangeAsync(
            entries =>
            {
                DateTimeOffset now = _timeProvider.GetUtcNow();
                int index = entries.FindIndex(e => KeyOf(e) == key);
                PendingQuestion? previous = index < 0 ? null : PendingQuestionFileFormat.ToQuestion(entries[index]);
                if (previous is null && entries.Count >= Limit)
                {
                    Log.PendingQuestionsFull(_logger, FilePath, Limit, request.Server);
                    throw new ApprovalStoreException(
                        $"The pending-questions file '{FilePath}' already holds {Limit} questions, the most it keeps; the question for {request.Server} was not recorded. Answer or deny some ('certpolicy approvals pending').",
                        FilePath);
                }

                var question = new PendingQuestion(
                    request.Server,
                    fingerprint,
                    certificate.PublicKeySha256 ?? previous?.SpkiSha256,
                    certificate.Subject,
                    certificate.Issuer,
                    certificate.NotBefore,
                    certificate.NotAfter,
                    request.ProblemKinds,
                    previous?.FirstSeen ?? now,
                    now,
                    previous is null ? 1 : (int)Math.Min(int.MaxValue, (long)previous.Attempts + 1),
                    request.IssuerPublicKey ?? previous?.IssuerPublicKey,
                    certificate.Parsed?.Subject.Encoded.ToArray() ?? previous?.SubjectName);
                if (index < 0)
                {
                    entries.Add(PendingQuestionFileFormat.ToEntry(question));
                }
                else
                {
                    entries[index] = PendingQuestionFileFormat.ToEntry(question);
                }

                return (question, true);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Answers "yes" to a waiting question: saves an approval for exactly that server, certificate and problems in
    /// <paramref name="approvals"/>, then removes the question. An agent's next connection (or one waiting in a
    /// <see cref="PendingQuestionPrompt"/>) connects without a restart.
    /// </summary>
    /// <param name="server">The server of the question.</param>
    /// <param name="certificate">The certificate of the question.</param>
    /// <param name="approvals">Where the approval is saved: the agent's approvals.</param>
    /// <param name="scope">What the approval covers besides the exact certificate (the agent's profile should use the same scope).</param>
    /// <param name="cancellationToken">Stops waiting for other writers.</param>
    /// <returns>The approval saved, recording the operating-system account that approved.</returns>
    /// <exception cref="PendingQuestionNotFoundException">No question is waiting for this server and certificate: nothing was approved.</exception>
    /// <exception cref="ApprovalStoreException">A file could not be changed, or the question does not record the key <paramref name="scope"/> needs.</exception>
    public async ValueTask<CertificateApproval> ApproveAsync(ServerIdentity server, CertificateFingerprint certificate, ApprovalStore approvals, ApprovalScope scope = ApprovalScope.Certificate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(approvals);
        var key = new ApprovalKey(server.Host, server.Port, certificate);

        // Under this file's lock, so that the question cannot change between being read and being removed. The
        // approval is saved before the question is removed: whoever sees the question gone finds the approval.
        return await ChangeAsync(
            async entries =>
            {
                int index = entries.FindIndex(e => KeyOf(e) == key);
                if (index < 0)
                {
                    throw new PendingQuestionNotFoundException(server, certificate);
                }

                PendingQuestion question = PendingQuestionFileFormat.ToQuestion(entries[index]);
                if (question.Problems == CertificateProblemKinds.None)
                {
                    throw new ApprovalStoreException($"The question for {server} names no problem this version knows, so nothing can be approved.", FilePath);
                }

                ApprovalFacts facts;
                try
                {
                    facts = question.FactsFor(scope, ApprovalText.CurrentAccount());
                }
                catch (ArgumentException ex)
                {
                    throw new ApprovalStoreException(ex.Message.Replace($" (Parameter '{ex.ParamName}')", string.Empty, StringComparison.Ordinal), FilePath, ex);
                }

                var approval = new CertificateApproval(server, certificate, question.Problems, _timeProvider.GetUtcNow(), question.Subject, [], facts);
                await approvals.SaveAsync(approval, cancellationToken).ConfigureAwait(false);

                // Every copy: a file edited by hand may name the same question twice.
                entries.RemoveAll(e => KeyOf(e) == key);
                Log.PendingQuestionAnswered(_logger, server, certificate, "approved");
                return (approval, true);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Answers "no" to a waiting question: removes it. A denial is not remembered: the next attempt records the
    /// question again.
    /// </summary>
    /// <param name="server">The server of the question.</param>
    /// <param name="certificate">The certificate of the question.</param>
    /// <param name="cancellationToken">Stops waiting for other writers.</param>
    /// <returns>True when a question was removed; false when none was waiting.</returns>
    /// <exception cref="ApprovalStoreException">The file could not be changed.</exception>
    public async ValueTask<bool> DenyAsync(ServerIdentity server, CertificateFingerprint certificate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        var key = new ApprovalKey(server.Host, server.Port, certificate);
        return await ChangeAsync(
            entries =>
            {
                bool removed = entries.RemoveAll(e => KeyOf(e) == key) > 0;
                if (removed)
                {
                    Log.PendingQuestionAnswered(_logger, server, certificate, "denied");
                }

                return (removed, removed);
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static ApprovalKey? KeyOf(PendingQuestionEntryModel entry) =>
        ServerIdentity.TryCreate(entry.Host, entry.Port, out ServerIdentity? server, out _) && CertificateFingerprint.TryParse(entry.Sha256, out CertificateFingerprint sha256)
            ? new ApprovalKey(server.Host, server.Port, sha256)
            : null;

    /// <summary>The questions as the file holds them now, parsing it again only when it changed (see <see cref="ApprovalSnapshot"/>).</summary>
    private View Current()
    {
        View view = Volatile.Read(ref _view);
        FileStamp stamp = FileStamp.OfPath(FilePath);
        if (stamp == view.Stamp && view.Settled)
        {
            return view;
        }

        DateTimeOffset readStarted = _timeProvider.GetUtcNow();
        ApprovalFileRead read = ApprovalFileRead.From(FilePath);
        if (read.Status == ReadStatus.Read && read.Stamp == view.Stamp && read.Bytes.AsSpan().SequenceEqual(view.Content))
        {
            View confirmed = view with { Settled = ApprovalSnapshot.Settles(read.Stamp, readStarted) };
            Interlocked.CompareExchange(ref _view, confirmed, view);
            return confirmed;
        }

        View loaded = Load(read, readStarted, whileWriting: false);
        if (loaded.Cacheable)
        {
            Volatile.Write(ref _view, loaded);
        }

        return loaded;
    }

    /// <summary>Makes a view of one read. A damaged file is moved aside (when reading, only if the lock is free now); anything else unusable reads as empty.</summary>
    /// <exception cref="ApprovalStoreException">While writing: the file cannot be read, or is newer; nothing is changed.</exception>
    private View Load(ApprovalFileRead read, DateTimeOffset readStarted, bool whileWriting)
    {
        string? problem = read.Status switch
        {
            ReadStatus.Missing => null,
            ReadStatus.Read => null,
            ReadStatus.TooLarge => $"the file is larger than {ApprovalFileFormat.MaxFileBytes} bytes",
            ReadStatus.PermissionDenied => "permission denied for this account",
            ReadStatus.IsFolder => "it is a folder, not a file",
            _ => $"it could not be read ({read.Error?.Message})",
        };
        if (read.Status == ReadStatus.Missing)
        {
            return View.Empty(FileStamp.Missing, cacheable: true);
        }

        if (problem is not null && read.Status != ReadStatus.TooLarge)
        {
            return Unusable(read, problem, whileWriting);
        }

        if (problem is null)
        {
            try
            {
                PendingQuestionFileModel model = PendingQuestionFileFormat.Parse(read.Bytes);
                PendingQuestion[] questions = [.. model.Questions.Select(PendingQuestionFileFormat.ToQuestion).OrderBy(q => q.FirstSeen)];
                return new View(read.Stamp, read.Bytes, questions, model, Cacheable: true, ApprovalSnapshot.Settles(read.Stamp, readStarted));
            }
            catch (ApprovalFileCorruptException ex)
            {
                problem = ex.Message;
            }
            catch (ApprovalFileVersionException ex)
            {
                return Unusable(read, ex.Message, whileWriting);
            }
        }

        if (IsReadOnly)
        {
            throw new ApprovalStoreException($"The pending-questions file '{FilePath}' is damaged ({problem}). It was left as it is.", FilePath);
        }

        return whileWriting ? MoveAside(problem) : MoveAsideIfLockFree(problem, read.Stamp);
    }

    private View Unusable(ApprovalFileRead read, string problem, bool whileWriting)
    {
        if (IsReadOnly)
        {
            throw new ApprovalStoreException($"The pending-questions file '{FilePath}' cannot be used: {problem}. It was left as it is.", FilePath, read.Error);
        }

        if (whileWriting)
        {
            throw new ApprovalStoreException($"The pending-questions file '{FilePath}' was not changed: {problem}.", FilePath, read.Error);
        }

        if (_lastReportedProblem != read.Stamp)
        {
            _lastReportedProblem = read.Stamp;
            Log.PendingQuestionsFileUnusable(_logger, read.Error, FilePath, problem);
        }

        return View.Empty(read.Stamp, cacheable: false);
    }

    /// <summary>Readers never wait: the damaged file is moved aside only when no writer holds the lock now.</summary>
    private View MoveAsideIfLockFree(string problem, FileStamp stamp)
    {
        if (Directory.Exists(Path.GetDirectoryName(FilePath)) && _writeGate.Wait(0))
        {
            try
            {
                using ApprovalFileLock? fileLock = ApprovalFileLock.TryAcquire(_lockPath, FilePath, out _);
                if (fileLock is not null && FileStamp.OfPath(FilePath) == stamp)
                {
                    return MoveAside(problem);
                }
            }
            catch (ApprovalStoreException ex)
            {
                Log.PendingQuestionsFileUnusable(_logger, ex, FilePath, problem);
            }
            finally
            {
                _writeGate.Release();
            }
        }

        return View.Empty(stamp, cacheable: false);
    }

    /// <summary>Moves the damaged file aside. Call only under the writers' lock.</summary>
    private View MoveAside(string problem)
    {
        string aside = ApprovalFileQuarantine.MoveAside(FilePath, problem, _timeProvider.GetUtcNow(), null);
        Log.PendingQuestionsFileMovedAside(_logger, null, FilePath, problem, aside);
        return View.Empty(FileStamp.Missing, cacheable: true);
    }

    private ValueTask<T> ChangeAsync<T>(Func<List<PendingQuestionEntryModel>, (T Result, bool Changed)> change, CancellationToken cancellationToken) =>
        ChangeAsync(entries => ValueTask.FromResult(change(entries)), cancellationToken);

    private async ValueTask<T> ChangeAsync<T>(Func<List<PendingQuestionEntryModel>, ValueTask<(T Result, bool Changed)>> change, CancellationToken cancellationToken)
    {
        if (IsReadOnly)
        {
            throw new InvalidOperationException($"The pending-questions file '{FilePath}' was opened read-only; nothing is changed.");
        }

        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            string folder = Path.GetDirectoryName(FilePath)!;
            if (!Directory.Exists(folder))
            {
                UnixFiles.CreateFolder(folder, FilePath);
            }

            using ApprovalFileLock fileLock = await ApprovalFileLock.AcquireAsync(_lockPath, FilePath, LockTimeout, _timeProvider, cancellationToken).ConfigureAwait(false);
            DateTimeOffset readStarted = _timeProvider.GetUtcNow();
            View current = Load(ApprovalFileRead.From(FilePath), readStarted, whileWriting: true);
            PendingQuestionFileModel model = current.Model ?? PendingQuestionFileFormat.Empty();
            (T result, bool changed) = await change(model.Questions).ConfigureAwait(false);
            if (changed)
            {
                byte[] content = PendingQuestionFileFormat.Serialize(model);
                FileStamp stamp = AtomicFileReplace.Write(FilePath, content, current.Stamp);
                PendingQuestion[] questions = [.. model.Questions.Select(PendingQuestionFileFormat.ToQuestion).OrderBy(q => q.FirstSeen)];
                Volatile.Write(ref _view, new View(stamp, content, questions, model, Cacheable: true, ApprovalSnapshot.Settles(stamp, readStarted)));
            }

            return result;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>One version of the file: its stamp and bytes, the questions, and whether the stamp alone proves it unchanged.</summary>
    private sealed record View(FileStamp Stamp, byte[] Content, PendingQuestion[] Questions, PendingQuestionFileModel? Model, bool Cacheable, bool Settled)
    {
        /// <summary>Before the first read; matches no stamp.</summary>
        public static View NotLoaded { get; } = new(new FileStamp(false, -1, default), [], [], null, Cacheable: true, Settled: true);

        public static View Empty(FileStamp stamp, bool cacheable) => new(stamp, [], [], null, cacheable, Settled: !stamp.Exists);
    }
}
