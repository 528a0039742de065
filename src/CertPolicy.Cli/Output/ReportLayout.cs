using System.Globalization;
using CertPolicy.Cli.Certificates;
using CertPolicy.Cli.Judging;

namespace CertPolicy.Cli.Output;

/// <summary>
/// Lays a judgement out as blocks, the same for plain and terminal output. Labels are at most 12 characters, so a
/// labelled fingerprint (64 digits) fits an 80-column line; agent outcomes are at most 33, so the agents table does.
/// </summary>
internal static class ReportLayout
{
    /// <summary>The mark after the action the profile file sets.</summary>
    public const string ProfileActionMark = " *";

    public static IReadOnlyList<Block> Build(JudgedSource source, Judgement judgement)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(judgement);
        ValidationReport report = judgement.Report;
        AgentProfile profile = judgement.Profile;
        var header = new List<(string, Cell)>
        {
            (source.Command == "check" ? "Server" : "File", new Cell(source.Description)),
        };
        if (source.TlsProtocol is not null)
        {
            header.Add(("TLS", new Cell(source.CipherSuite is null ? source.TlsProtocol : $"{source.TlsProtocol}, {source.CipherSuite}")));
        }

        header.Add(("Judged for", report.Identity is { } identity ? new Cell(identity.ToString()) : new Cell("no server name: everything but the name was judged", Tone.Warning)));
        header.Add(("Profile", new Cell(profile.FromFile
            ? $"{profile.Name} in {profile.File} ({profile.Validator.Mode} mode, {profile.Action})"
            : "the command line's settings (no --profile)")));
        header.Add(("Trust store", new Cell(judgement.TrustDescription)));
        header.Add(("Approvals", judgement.ApprovalsFile is null ? new Cell("not consulted", Tone.Muted) : new Cell(judgement.ApprovalsFile)));
        header.Add(("Judged at", new Cell(CertificateFacts.FormatTime(report.ValidatedAt))));
        if (source.SavedChain is not null)
        {
            header.Add(("Chain saved", new Cell(source.SavedChain)));
        }

        var blocks = new List<Block> { new FieldsBlock(null, header) };
        if (source.OrderNote is not null)
        {
            blocks.Add(new HeadingBlock($"Warning: {source.OrderNote}", Tone.Warning));
        }

        blocks.Add(CertificateBlock(judgement.Leaf, judgement.Details));
        AddVerdict(blocks, "Modern verdict", report.Modern);
        if (report.Legacy is { } legacy)
        {
            AddVerdict(blocks, $"Legacy verdict (subject common name '{judgement.ExpectedSubject}')", legacy);
        }
        else
        {
            blocks.Add(new HeadingBlock("Legacy verdict: not checked (give --expected-subject CN to see what legacy agents do)", Tone.Muted));
        }

        if (report.Path.Count > 0)
        {
            blocks.Add(new TableBlock(
                "Path judged (leaf first)",
                ["#", "Subject", "Valid until"],
                [.. report.Path.Select((c, i) => (IReadOnlyList<Cell>)[
                    new Cell(i.ToString(CultureInfo.InvariantCulture)),
                    new Cell(c.Subject),
                    new Cell(CertificateFacts.FormatTime(c.NotAfter), c.NotAfter <= report.ValidatedAt ? Tone.Bad : Tone.Normal),
                ])]));
        }

        blocks.Add(AgentsTable(judgement));
        var notes = new List<Cell>();
        if (profile.FromFile)
        {
            notes.Add(new Cell($"*: the profile's action ({profile.Action}).", Tone.Muted));
        }

        if (judgement.Outcomes.Any(o => o.Outcome == Outcomes.Prompt))
        {
            notes.Add(new Cell("Agents that cannot ask anyone (services without a user session) refuse where the table says they ask.", Tone.Muted));
        }

        foreach (AgentOutcome outcome in judgement.Outcomes.Where(o => o.ApprovedAt is not null).DistinctBy(o => o.ApprovedAt))
        {
            notes.Add(new Cell($"The remembered approval consulted was given on {CertificateFacts.FormatTime(outcome.ApprovedAt!.Value)}.", Tone.Muted));
        }

        notes.AddRange(judgement.Notes.Select(n => new Cell(n, Tone.Muted)));
        if (notes.Count > 0)
        {
            blocks.Add(new ListBlock(notes));
        }

        foreach (string warning in judgement.Warnings)
        {
            blocks.Add(new HeadingBlock($"Warning: {warning}", Tone.Warning));
        }

        return blocks;
    }

    /// <summary>Modern and legacy agents side by side, one row per action.</summary>
    private static TableBlock AgentsTable(Judgement judgement)
    {
        bool legacy = judgement.Outcomes.Any(o => o.Generation == AgentGeneration.Legacy);
        List<string> columns = legacy ? ["Action", "Modern agents", "Legacy agents"] : ["Action", "Modern agents"];
        var rows = new List<IReadOnlyList<Cell>>();
        foreach (InvalidCertificateAction action in Judge.Actions)
        {
            string name = action.ToString() + (judgement.Profile.FromFile && judgement.Profile.Action == action ? ProfileActionMark : string.Empty);
            var row = new List<Cell> { new(name) };
            row.Add(OutcomeCell(judgement.Find(AgentGeneration.Modern, action)));
            if (legacy)
            {
                row.Add(OutcomeCell(judgement.Find(AgentGeneration.Legacy, action)));
            }

            rows.Add(row);
        }

        string title = legacy ? "What agents would do" : "What agents would do (modern agents; legacy agents: give --expected-subject)";
        return new TableBlock(title, columns, rows);
    }

    private static Cell OutcomeCell(AgentOutcome? outcome) => outcome is null
        ? new Cell("not judged", Tone.Muted)
        : new Cell(outcome.Description, outcome.Outcome switch
        {
            Outcomes.Connect => outcome.Reason == DecisionReason.Valid ? Tone.Good : Tone.Warning,
            Outcomes.Prompt => Tone.Warning,
            _ => Tone.Bad,
        });

    private static Block CertificateBlock(CertificateSummary? leaf, CertificateDetails? details)
    {
        if (leaf is null)
        {
            return new HeadingBlock("Certificate: none (no certificate was presented)", Tone.Bad);
        }

        var names = new List<string>();
        names.AddRange(leaf.DnsNames);
        names.AddRange(leaf.IPAddresses);
        var rows = new List<(string, Cell)>
        {
            ("Subject", new Cell(leaf.Subject)),
            ("Issuer", new Cell(leaf.Issuer)),
            ("Names", names.Count == 0 ? new Cell("none (no subject alternative name)", Tone.Muted) : new Cell(string.Join(", ", names))),
            ("Valid from", new Cell(CertificateFacts.FormatTime(leaf.NotBefore))),
            ("Valid until", new Cell(CertificateFacts.FormatTime(leaf.NotAfter))),
            ("Serial", new Cell(leaf.SerialNumber, Tone.Muted)),
        };
        if (details is not null)
        {
            rows.Add(("Key", new Cell(details.Key)));
            rows.Add(("Signature", new Cell(details.SignatureAlgorithm)));
            rows.Add(("Key usage", List(details.KeyUsage)));
            rows.Add(("EKU", List(details.ExtendedKeyUsage)));
            rows.Add(("CA", details.BasicConstraints is null ? new Cell("not said (no basic constraints)", Tone.Muted) : new Cell(details.BasicConstraints)));
            rows.Add(("OCSP", List(details.OcspUrls)));
            rows.Add(("CA issuers", List(details.CaIssuerUrls)));
            rows.Add(("CRL DPs", List(details.CrlDistributionPoints)));
        }

        rows.Add(("SHA-256", new Cell(CertificateFacts.FormatFingerprint(leaf.Sha256Fingerprint))));
        return new FieldsBlock("Certificate", rows);
    }

    private static Cell List(IReadOnlyList<string> items) =>
        items.Count == 0 ? new Cell("none", Tone.Muted) : new Cell(string.Join(", ", items));

    private static void AddVerdict(List<Block> blocks, string title, ValidationVerdict verdict)
    {
        if (verdict.IsValid)
        {
            blocks.Add(new HeadingBlock($"{title}: VALID", Tone.Good));
        }
        else
        {
            int count = verdict.Problems.Count;
            blocks.Add(new HeadingBlock($"{title}: NOT VALID ({count} problem{(count == 1 ? string.Empty : "s")})", Tone.Bad));
            blocks.Add(new ListBlock([.. verdict.Problems.Select(p => new Cell(Describe(p), Tone.Bad))]));
        }

        // Accepted only by the profile's opt-in (a name only in the subject common name): shown, never counted as problems.
        if (verdict.Notices.Count > 0)
        {
            blocks.Add(new ListBlock([.. verdict.Notices.Select(n => new Cell("Accepted by the profile: " + Describe(n), Tone.Warning))]));
        }
    }

    /// <summary>The problem in the library's words, then what it is and which certificate it concerns.</summary>
    public static string Describe(CertificateProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        string where = problem.ChainPosition < 0
            ? string.Empty
            : problem.Subject is null
                ? $"; certificate {problem.ChainPosition}"
                : $"; certificate {problem.ChainPosition}, {problem.Subject}";
        return $"{problem.Message} ({problem.Kind}{where})";
    }
}
