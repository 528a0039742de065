using System.Globalization;
using CertPolicy.Cli.Certificates;
using CertPolicy.Cli.Judging;
using CertPolicy.Cli.Planning;

namespace CertPolicy.Cli.Output;

/// <summary>What a plan was made from.</summary>
internal sealed record PlanContext(string CertificateFile, string InventoryFile, CertificateSummary? Leaf, Judge Judge, string? OrderNote);

/// <summary>A fleet plan as blocks (plain or terminal) and as JSON.</summary>
internal static class PlanOutput
{
    /// <summary>Steps list at most this many blocking endpoints by name.</summary>
    public const int BlockersNamed = 10;

    public static IReadOnlyList<Block> Blocks(PlanContext context, FleetPlan plan)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(plan);
        AgentProfile profile = context.Judge.Profile;
        var blocks = new List<Block>
        {
            new FieldsBlock(null, [
                ("Certificate", new Cell(context.Leaf is null ? context.CertificateFile : $"{context.Leaf.Subject}, from {context.CertificateFile}")),
                ("SHA-256", new Cell(context.Leaf is null ? "unreadable" : CertificateFacts.FormatFingerprint(context.Leaf.Sha256Fingerprint))),
                ("Inventory", new Cell($"{context.InventoryFile} ({plan.Endpoints.Count} endpoints)")),
                ("Profile", new Cell(profile.FromFile ? $"{profile.Name} in {profile.File} ({profile.Action})" : $"the command line's settings (default action {profile.Action})")),
                ("Trust store", new Cell(profile.TrustDescription)),
                ("Judged at", new Cell(CertificateFacts.FormatTime(context.Judge.Now))),
            ]),
        };
        if (context.OrderNote is not null)
        {
            blocks.Add(new HeadingBlock($"Warning: {context.OrderNote}", Tone.Warning));
        }

        blocks.Add(new TableBlock(
            "Totals",
            ["Endpoints", "would"],
            [.. plan.Totals.Select(t => (IReadOnlyList<Cell>)[
                new Cell(t.Count.ToString(CultureInfo.InvariantCulture)),
                new Cell(Outcomes.Describe(t.Outcome), t.Count == 0 ? Tone.Muted : ToneOf(t.Outcome)),
            ])]));

        foreach (PlanStep step in plan.Steps)
        {
            string state = step.Ready ? "ready" : $"blocked by {step.Blockers.Count} endpoint{(step.Blockers.Count == 1 ? string.Empty : "s")}";
            blocks.Add(new HeadingBlock($"Step {step.Order}: {step.Name}: {state}", step.Ready ? Tone.Good : Tone.Bad));
            var items = new List<Cell> { new(step.Description, Tone.Muted) };
            items.AddRange(step.Blockers.Take(BlockersNamed).Select(b => new Cell($"{b.Endpoint.Name} ({Generation(b.Endpoint.Generation)}, {b.Action}, {b.Endpoint.Server}): {b.Outcome.Description}", Tone.Bad)));
            if (step.Blockers.Count > BlockersNamed)
            {
                items.Add(new Cell($"and {step.Blockers.Count - BlockersNamed} more (see the table below, or --json)", Tone.Muted));
            }

            blocks.Add(new ListBlock(items));
        }

        blocks.Add(new TableBlock(
            "Endpoints",
            ["Name", "Agents", "Action", "Server", "Would"],
            [.. plan.Endpoints.Select(e => (IReadOnlyList<Cell>)[
                new Cell(e.Endpoint.Name),
                new Cell(Generation(e.Endpoint.Generation) + (e.Endpoint.Headless ? ", headless" : string.Empty)),
                new Cell(e.Action.ToString()),
                new Cell(e.Endpoint.Server.ToString()),
                new Cell(e.Note is null ? e.Outcome.Description : $"{e.Outcome.Description}; {e.Note}", ToneOf(e.Outcome.Outcome)),
            ])]));
        return blocks;
    }

    public static PlanJson Json(PlanContext context, FleetPlan plan)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(plan);
        AgentProfile profile = context.Judge.Profile;
        return new PlanJson
        {
            CertificateFile = context.CertificateFile,
            Inventory = context.InventoryFile,
            Subject = context.Leaf?.Subject,
            Sha256 = context.Leaf is null ? null : CertificateFacts.FormatFingerprint(context.Leaf.Sha256Fingerprint),
            NotAfter = context.Leaf?.NotAfter.ToUniversalTime(),
            OrderNote = context.OrderNote,
            Profile = JsonReport.Profile(profile, withAction: true),
            JudgedAt = context.Judge.Now,
            ExitCode = plan.ExitCode,
            Totals = plan.Totals.ToDictionary(t => t.Outcome, t => t.Count),
            Steps = [.. plan.Steps.Select(s => new PlanStepJson
            {
                Order = s.Order,
                Name = s.Name,
                Description = s.Description,
                Ready = s.Ready,
                BlockedBy = [.. s.Blockers.Select(b => b.Endpoint.Name)],
            })],
            Endpoints = [.. plan.Endpoints.Select(e => new EndpointPlanJson
            {
                Name = e.Endpoint.Name,
                Generation = Generation(e.Endpoint.Generation),
                Action = e.Action.ToString(),
                Server = e.Endpoint.Server.ToString(),
                Headless = e.Endpoint.Headless,
                Approvals = e.Endpoint.ApprovalsFile,
                Outcome = e.Outcome.Outcome,
                Reason = e.Outcome.Reason.ToString(),
                Description = e.Outcome.Description,
                Note = e.Note,
            })],
        };
    }

    private static string Generation(AgentGeneration generation) => generation == AgentGeneration.Legacy ? "legacy" : "modern";

    private static Tone ToneOf(string outcome) => outcome switch
    {
        Outcomes.Connect => Tone.Good,
        Outcomes.Prompt => Tone.Warning,
        _ => Tone.Bad,
    };
}

internal sealed class PlanJson
{
    public required string CertificateFile { get; init; }

    public required string Inventory { get; init; }

    public string? Subject { get; init; }

    public string? Sha256 { get; init; }

    public DateTimeOffset? NotAfter { get; init; }

    public string? OrderNote { get; init; }

    public required ProfileJson Profile { get; init; }

    public required DateTimeOffset JudgedAt { get; init; }

    public required int ExitCode { get; init; }

    /// <summary>Endpoints per outcome: connect, ask, refuse, refuse-unattended (every key present).</summary>
    public required Dictionary<string, int> Totals { get; init; }

    public required List<PlanStepJson> Steps { get; init; }

    public required List<EndpointPlanJson> Endpoints { get; init; }
}

internal sealed class PlanStepJson
{
    public required int Order { get; init; }

    public required string Name { get; init; }

    public required string Description { get; init; }

    public required bool Ready { get; init; }

    public required List<string> BlockedBy { get; init; }
}

internal sealed class EndpointPlanJson
{
    public required string Name { get; init; }

    public required string Generation { get; init; }

    public required string Action { get; init; }

    public required string Server { get; init; }

    public required bool Headless { get; init; }

    public string? Approvals { get; init; }

    public required string Outcome { get; init; }

    public required string Reason { get; init; }

    public required string Description { get; init; }

    public string? Note { get; init; }
}
