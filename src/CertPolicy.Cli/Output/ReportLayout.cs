using System.Globalization;
using CertPolicy.Cli.Certificates;
using CertPolicy.Cli.Judging;

namespace CertPolicy.Cli.Output;

/// <summary>Lays a judgement out as blocks, the same for plain and terminal output.</summary>
internal static class ReportLayout
{
    public static IReadOnlyList<Block> Build(JudgedSource source, Judgement judgement)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(judgement);
        ValidationReport report = judgement.Report;
        var blocks = new List<Block>
        {
            new FieldsBlock(null, [
                (source.Command == "check" ? "Server" : "File", new Cell(source.Description)),
                ("Judged for", new Cell(report.Identity?.ToString() ?? "no server name (the name was not checked)")),
                ("Trust store", new Cell(judgement.TrustDescription)),
                ("Approvals", judgement.ApprovalsFile is null ? new Cell("not consulted", Tone.Muted) : new Cell(judgement.ApprovalsFile)),
                ("Judged at", new Cell(CertificateFacts.FormatTime(report.ValidatedAt))),
            ]),
        };

        blocks.Add(CertificateBlock(judgement.Leaf));
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

        blocks.Add(new TableBlock(
            "What agents would do",
            ["Action", "Agents"],
            [.. judgement.Actions.Select(a => (IReadOnlyList<Cell>)[new Cell(a.Action), new Cell(a.Description, ToneOf(a, judgement.IsValid))])]));

        var notes = new List<Cell>();
        if (judgement.Actions.Any(a => a.Outcome == "ask"))
        {
            notes.Add(new Cell("Agents that cannot ask anyone (services without a user session) refuse where the table says they ask.", Tone.Muted));
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

    private static Block CertificateBlock(CertificateSummary? leaf)
    {
        if (leaf is null)
        {
            return new HeadingBlock("Certificate: none (no certificate was presented)", Tone.Bad);
        }

        var names = new List<string>();
        names.AddRange(leaf.DnsNames);
        names.AddRange(leaf.IPAddresses);
        return new FieldsBlock("Certificate", [
            ("Subject", new Cell(leaf.Subject)),
            ("Issuer", new Cell(leaf.Issuer)),
            ("Names", names.Count == 0 ? new Cell("none (no subject alternative name)", Tone.Muted) : new Cell(string.Join(", ", names))),
            ("Valid from", new Cell(CertificateFacts.FormatTime(leaf.NotBefore))),
            ("Valid until", new Cell(CertificateFacts.FormatTime(leaf.NotAfter))),
            ("Serial", new Cell(leaf.SerialNumber, Tone.Muted)),
            ("SHA-256", new Cell(CertificateFacts.FormatFingerprint(leaf.Sha256Fingerprint))),
        ]);
    }

    private static void AddVerdict(List<Block> blocks, string title, ValidationVerdict verdict)
    {
        if (verdict.IsValid)
        {
            blocks.Add(new HeadingBlock($"{title}: VALID", Tone.Good));
            return;
        }

        int count = verdict.Problems.Count;
        blocks.Add(new HeadingBlock($"{title}: NOT VALID ({count} problem{(count == 1 ? string.Empty : "s")})", Tone.Bad));
        blocks.Add(new ListBlock([.. verdict.Problems.Select(p => new Cell(Describe(p), Tone.Bad))]));
    }

    /// <summary>The problem in the library's words, then what it is and which certificate it concerns.</summary>
    public static string Describe(CertificateProblem problem)
    {
        string where = problem.ChainPosition < 0
            ? string.Empty
            : problem.Subject is null
                ? $"; certificate {problem.ChainPosition}"
                : $"; certificate {problem.ChainPosition}, {problem.Subject}";
        return $"{problem.Message} ({problem.Kind}{where})";
    }

    private static Tone ToneOf(ActionPreview action, bool valid) => action.Outcome switch
    {
        "connect" => valid ? Tone.Good : Tone.Warning,
        "refuse" => Tone.Bad,
        "ask" => Tone.Warning,
        _ => Tone.Muted,
    };
}
