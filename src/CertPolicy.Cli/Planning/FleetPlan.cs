using CertPolicy.Cli.Judging;

namespace CertPolicy.Cli.Planning;

/// <summary>What one endpoint will do with the new certificate.</summary>
/// <param name="Endpoint">The endpoint.</param>
/// <param name="Action">The action it runs with (its own, else the profile's).</param>
/// <param name="Outcome">The engine's decision, in words.</param>
/// <param name="Note">Something the administrator should know about this endpoint, such as an unreadable approvals file.</param>
internal sealed record EndpointPlan(Endpoint Endpoint, InvalidCertificateAction Action, AgentOutcome Outcome, string? Note);

/// <summary>One step of the recommended order of the change, and the endpoints that block it.</summary>
/// <param name="Order">1, 2, 3.</param>
/// <param name="Name">Such as "Install the new server certificate".</param>
/// <param name="Description">What the step is and what blocks it.</param>
/// <param name="Blockers">The endpoints that would not connect silently after this step.</param>
internal sealed record PlanStep(int Order, string Name, string Description, IReadOnlyList<EndpointPlan> Blockers)
{
    public bool Ready => Blockers.Count == 0;
}

/// <summary>
/// What every endpoint of a fleet will do with a new certificate, judged by the library's engine (through
/// <see cref="Judge"/>), with each distinct judgement made once: one validation per server name, one decision per
/// (server name, generation, action, headless, approvals file).
/// </summary>
internal sealed class FleetPlan
{
    private FleetPlan(IReadOnlyList<EndpointPlan> endpoints, IReadOnlyList<PlanStep> steps, int validations, int decisions)
    {
        Endpoints = endpoints;
        Steps = steps;
        Validations = validations;
        Decisions = decisions;
    }

    public IReadOnlyList<EndpointPlan> Endpoints { get; }

    public IReadOnlyList<PlanStep> Steps { get; }

    /// <summary>How many validations were run (distinct server names).</summary>
    public int Validations { get; }

    /// <summary>How many decisions the engine made (distinct judgements).</summary>
    public int Decisions { get; }

    /// <summary>How many endpoints reach each outcome, in <see cref="Outcomes.All"/> order.</summary>
    public IReadOnlyList<(string Outcome, int Count)> Totals =>
        [.. Outcomes.All.Select(o => (o, Endpoints.Count(e => e.Outcome.Outcome == o)))];

    /// <summary><see cref="ExitCodes.Valid"/> when every endpoint connects silently, else <see cref="ExitCodes.AgentsWouldNotConnect"/>.</summary>
    public int ExitCode => Endpoints.All(e => e.Outcome.ConnectsSilently) ? ExitCodes.Valid : ExitCodes.AgentsWouldNotConnect;

    public static FleetPlan Make(Judge judge, IReadOnlyList<ReadOnlyMemory<byte>> certificates, IReadOnlyList<Endpoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(judge);
        ArgumentNullException.ThrowIfNull(certificates);
        ArgumentNullException.ThrowIfNull(endpoints);
        var reports = new Dictionary<string, ValidationReport>(StringComparer.Ordinal);
        var decisions = new Dictionary<(string Server, AgentGeneration Generation, InvalidCertificateAction Action, bool Headless, string? Approvals), AgentOutcome?>();

        AgentOutcome? Decide(Endpoint endpoint, AgentGeneration generation, InvalidCertificateAction action)
        {
            string server = endpoint.Server.ToString();
            var key = (server, generation, action, endpoint.Headless, endpoint.ApprovalsFile);
            if (!decisions.TryGetValue(key, out AgentOutcome? outcome))
            {
                if (!reports.TryGetValue(server, out ValidationReport? report))
                {
                    report = judge.Validate(certificates, endpoint.Server);
                    reports[server] = report;
                }

                ApprovalStore? approvals = endpoint.ApprovalsFile is { } file ? judge.ApprovalsFor(file).Store : null;
                outcome = judge.Decide(report, generation, action, endpoint.Headless, approvals);
                decisions[key] = outcome;
            }

            return outcome;
        }

        var plans = new List<EndpointPlan>(endpoints.Count);
        var asLegacy = new List<EndpointPlan>();
        var asModern = new List<EndpointPlan>();
        foreach (Endpoint endpoint in endpoints)
        {
            InvalidCertificateAction action = endpoint.Action ?? judge.Profile.Action;
            string? note = endpoint.ApprovalsFile is { } file && judge.ApprovalsFor(file).Problem is { } problem
                ? $"approvals not consulted: {problem}"
                : null;
            AgentOutcome outcome = Decide(endpoint, endpoint.Generation, action)
                ?? throw new CliException($"{endpoint.Line} ({endpoint.Name}) runs legacy agents, but no expected subject is known: give --expected-subject CN or a --profile with an ExpectedSubject.") { Code = "bad-arguments" };
            var plan = new EndpointPlan(endpoint, action, outcome, note);
            plans.Add(plan);

            AgentOutcome? legacy = Decide(endpoint, AgentGeneration.Legacy, action);
            if (legacy is null || !legacy.ConnectsSilently)
            {
                asLegacy.Add(legacy is null ? plan : plan with { Outcome = legacy });
            }

            AgentOutcome modern = Decide(endpoint, AgentGeneration.Modern, action)!;
            if (!modern.ConnectsSilently)
            {
                asModern.Add(plan with { Outcome = modern });
            }
        }

        PlanStep[] steps =
        [
            new(1, "Install the new server certificate", "Blocked by the endpoints that would not connect silently with it, as they are configured today.", [.. plans.Where(p => !p.Outcome.ConnectsSilently)]),
            new(2, "Run agents in report-only mode", "Legacy mode with the expected subject: the subject name decides, the modern verdict is computed and reported beside it. Blocked by the endpoints whose legacy check fails on the new certificate (or when no expected subject is known).", asLegacy),
            new(3, "Switch agents to modern mode", "The modern verdict decides. Blocked by the endpoints whose modern verdict on the new certificate would not let them connect silently.", asModern),
        ];
        return new FleetPlan(plans, steps, reports.Count, decisions.Count);
    }
}
