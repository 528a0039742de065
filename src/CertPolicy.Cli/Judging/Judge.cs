using CertPolicy.Cli.Certificates;

namespace CertPolicy.Cli.Judging;

/// <summary>
/// Judges a chain with the library's public API, as an agent would: the validator in modern mode (with the legacy
/// verdict beside it when an expected subject is given), then the decision engine under each action. Created
/// before any connection, so that a bad trust store, expected subject or approvals file fails first.
/// </summary>
internal sealed class Judge
{
    /// <summary>Certificates that expire within this time get a warning.</summary>
    public static readonly TimeSpan ExpiryWarningWindow = TimeSpan.FromDays(30);

    private readonly CertificateValidator _validator;
    private readonly string _trustDescription;
    private readonly string? _approvalsFile;
    private readonly List<string> _notes;
    private readonly MessageCollector _messages;
    private readonly ApprovalStore _approvals;

    private Judge(JudgeSettings settings, TimeProvider timeProvider)
    {
        (TrustStore trustStore, _trustDescription) = LoadTrustStore(settings.TrustPath);
        _validator = CreateValidator(trustStore, settings.ExpectedSubject, timeProvider);
        _messages = new MessageCollector();
        _notes = [];
        if (settings.ApprovalsFile is { } path)
        {
            FileApprovalStore store = ApprovalsAccess.OpenForReading(path, timeProvider);
            _approvals = store;
            _approvalsFile = store.FilePath;
            if (!File.Exists(store.FilePath))
            {
                _notes.Add($"The approvals file {store.FilePath} does not exist: no approval is remembered there.");
            }
        }
        else
        {
            _approvals = new InMemoryApprovalStore();
            _notes.Add("Remembered approvals were not consulted: name the agents' approvals file with --approvals FILE.");
        }
    }

    /// <summary>Prepares a judgement: loads the trust store and the approvals file, and checks the expected subject.</summary>
    /// <exception cref="CliException">The trust store, the expected subject or the approvals file is not usable.</exception>
    public static Judge Create(JudgeSettings settings, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(timeProvider);
        return new Judge(settings, timeProvider);
    }

    /// <summary>Judges the certificates a server sends (leaf first) for the identity agents expect.</summary>
    public Judgement Run(IReadOnlyList<ReadOnlyMemory<byte>> certificates, ServerIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        ArgumentNullException.ThrowIfNull(identity);
        ValidationReport report = _validator.Validate(certificates, identity);
        IReadOnlyList<ActionPreview> actions = ActionPreviewer.Preview(_validator, report, _approvals);
        var notes = new List<string>(_notes);
        CertificateSummary? leaf = report.Certificate ?? (certificates.Count > 0 ? CertificateFacts.TryDescribe(certificates[0]) : null);
        if (report.Certificate is null && leaf is not null)
        {
            notes.Add("CertPolicy could not decode the server's certificate; its details are shown as .NET decodes it.");
        }

        List<string> warnings = ExpiryWarnings(report, leaf);
        warnings.AddRange(_messages.Messages);
        return new Judgement(report, leaf, actions, _approvalsFile, _trustDescription, _validator.ExpectedSubject, warnings, notes);
    }

    /// <summary>Loads a file or a folder of PEM certificates, or takes the operating system's roots.</summary>
    /// <exception cref="CliException">The file or folder cannot be loaded; the message names the entry at fault.</exception>
    private static (TrustStore Store, string Description) LoadTrustStore(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return (TrustStore.System, "the operating system's root certificates");
        }

        try
        {
            return Directory.Exists(path)
                ? (TrustStore.FromPemDirectory(path), $"the PEM certificates in the folder {Path.GetFullPath(path)}")
                : (TrustStore.FromPemFile(path), $"the PEM file {Path.GetFullPath(path)}");
        }
        catch (TrustStoreException ex)
        {
            throw new CliException($"cannot load the trust store: {OneLine(ex.Message)}", ex);
        }
        catch (ArgumentException ex)
        {
            throw new CliException($"'{path}' is not a valid trust store path: {OneLine(ex.Message)}", ex);
        }
    }

    private static CertificateValidator CreateValidator(TrustStore trustStore, string? expectedSubject, TimeProvider timeProvider)
    {
        try
        {
            return new CertificateValidator(
                new CertificateValidatorOptions
                {
                    TrustStore = trustStore,
                    Mode = ValidationMode.Modern,
                    ExpectedSubject = expectedSubject,
                },
                timeProvider);
        }
        catch (ArgumentException ex)
        {
            throw new CliException(OneLine(ex.Message), ex);
        }
    }

    /// <summary>A warning for each certificate of the path (or the leaf, when no path was found) that expires soon.</summary>
    private static List<string> ExpiryWarnings(ValidationReport report, CertificateSummary? leaf)
    {
        var warnings = new List<string>();
        IReadOnlyList<CertificateSummary> certificates = report.Path.Count > 0 ? report.Path : leaf is null ? [] : [leaf];
        for (int position = 0; position < certificates.Count; position++)
        {
            CertificateSummary certificate = certificates[position];
            TimeSpan left = certificate.NotAfter - report.ValidatedAt;
            if (left <= TimeSpan.Zero || left > ExpiryWarningWindow)
            {
                continue;
            }

            string which = position == 0 ? "The server's certificate" : $"Certificate {position} of the path ({certificate.Subject})";
            string when = left < TimeSpan.FromDays(1)
                ? "in less than a day"
                : left < TimeSpan.FromDays(2) ? "in 1 day" : $"in {(int)left.TotalDays} days";
            warnings.Add($"{which} expires {when}, on {CertificateFacts.FormatTime(certificate.NotAfter)}.");
        }

        return warnings;
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
