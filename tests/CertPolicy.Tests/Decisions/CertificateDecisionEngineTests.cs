using CertPolicy.Tests.Support;

namespace CertPolicy.Tests.Decisions;

public sealed class CertificateDecisionEngineTests
{
    private const CertificateProblemKinds Untrusted = CertificateProblemKinds.UntrustedRoot;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(InvalidCertificateAction.Allow)]
    [InlineData(InvalidCertificateAction.Warn)]
    [InlineData(InvalidCertificateAction.Deny)]
    public async Task A_valid_certificate_connects_silently_under_every_action(InvalidCertificateAction action)
    {
        var prompt = TestPrompt.Answering(PromptAnswer.Deny);
        using var fixture = new EngineFixture(action, prompt);

        CertificateDecision decision = await fixture.Engine.DecideAsync(Reports.Valid(), Ct);
        CertificateDecision withoutPrompt = fixture.Engine.DecideWithoutPrompt(Reports.Valid());

        Assert.Equal(DecisionOutcome.Connect, decision.Outcome);
        Assert.Equal(DecisionReason.Valid, decision.Reason);
        Assert.True(decision.ShouldConnect);
        Assert.Equal(DecisionReason.Valid, withoutPrompt.Reason);
        Assert.Equal(0, prompt.Calls);
        Assert.Empty(fixture.Approvals.List());
    }

    [Fact]
    public async Task A_valid_decision_completes_synchronously()
    {
        using var fixture = new EngineFixture(InvalidCertificateAction.Warn, TestPrompt.Gated());

        ValueTask<CertificateDecision> pending = fixture.Engine.DecideAsync(Reports.Valid(), Ct);

        Assert.True(pending.IsCompletedSuccessfully);
        Assert.Equal(DecisionReason.Valid, (await pending).Reason);
    }

    [Fact]
    public async Task In_legacy_mode_the_legacy_verdict_decides()
    {
        var prompt = TestPrompt.Answering(PromptAnswer.Deny);
        using var fixture = new EngineFixture(InvalidCertificateAction.Deny, prompt);
        var legacyValid = new ValidationReport(
            ValidationMode.Legacy, Reports.Server, Reports.Verdict(Untrusted), ValidationVerdict.Valid, Reports.Leaf, [Reports.Leaf], TestPki.Now);
        var legacyInvalid = new ValidationReport(
            ValidationMode.Legacy, Reports.Server, ValidationVerdict.Valid, Reports.Verdict(CertificateProblemKinds.SubjectMismatch), Reports.Leaf, [Reports.Leaf], TestPki.Now);

        Assert.Equal(DecisionReason.Valid, (await fixture.Engine.DecideAsync(legacyValid, Ct)).Reason);
        Assert.Equal(DecisionReason.DeniedByPolicy, (await fixture.Engine.DecideAsync(legacyInvalid, Ct)).Reason);
    }

    [Fact]
    public async Task Allow_connects_an_invalid_certificate_without_asking()
    {
        var prompt = TestPrompt.Answering(PromptAnswer.Deny);
        using var fixture = new EngineFixture(InvalidCertificateAction.Allow, prompt);

        CertificateDecision decision = await fixture.Engine.DecideAsync(Reports.Invalid(Untrusted | CertificateProblemKinds.Expired), Ct);

        Assert.Equal(DecisionOutcome.Connect, decision.Outcome);
        Assert.Equal(DecisionReason.AllowedByPolicy, decision.Reason);
        Assert.Equal(0, prompt.Calls);
        Assert.Empty(fixture.Approvals.List());
    }

    [Fact]
    public async Task Deny_refuses_an_invalid_certificate_without_asking()
    {
        var prompt = TestPrompt.Answering(PromptAnswer.Allow);
        using var fixture = new EngineFixture(InvalidCertificateAction.Deny, prompt);

        CertificateDecision decision = await fixture.Engine.DecideAsync(Reports.Invalid(Untrusted), Ct);

        Assert.Equal(DecisionOutcome.Refuse, decision.Outcome);
        Assert.Equal(DecisionReason.DeniedByPolicy, decision.Reason);
        Assert.False(decision.ShouldConnect);
        Assert.Equal(0, prompt.Calls);
    }

    [Fact]
    public async Task Deny_ignores_remembered_approvals()
    {
        var approvals = new InMemoryApprovalStore();
        await approvals.SaveAsync(new CertificateApproval(Reports.Server, CertificateFingerprint.Parse(Reports.Leaf.Sha256Fingerprint), Untrusted, TestPki.Now), Ct);
        using var fixture = new EngineFixture(InvalidCertificateAction.Deny, TestPrompt.Answering(PromptAnswer.Allow), approvals);

        CertificateDecision decision = await fixture.Engine.DecideAsync(Reports.Invalid(Untrusted), Ct);

        Assert.Equal(DecisionReason.DeniedByPolicy, decision.Reason);
    }

    [Fact]
    public async Task Warn_asks_and_an_approval_connects_and_is_remembered_so_the_next_attempt_is_silent()
    {
        var prompt = TestPrompt.Answering(PromptAnswer.Allow);
        using var fixture = new EngineFixture(InvalidCertificateAction.Warn, prompt);
        fixture.Time.Advance(TimeSpan.FromMinutes(5));

        CertificateDecision first = await fixture.Engine.DecideAsync(Reports.Invalid(Untrusted), Ct);
        CertificateDecision second = await fixture.Engine.DecideAsync(Reports.Invalid(Untrusted), Ct);
        CertificateDecision synchronous = fixture.Engine.DecideWithoutPrompt(Reports.Invalid(Untrusted));

        Assert.Equal((DecisionOutcome.Connect, DecisionReason.ApprovedByUser), (first.Outcome, first.Reason));
        Assert.Equal((DecisionOutcome.Connect, DecisionReason.RememberedApproval), (second.Outcome, second.Reason));
        Assert.Equal(DecisionReason.RememberedApproval, synchronous.Reason);
        Assert.Equal(1, prompt.Calls);
        CertificateApproval approval = Assert.Single(fixture.Approvals.List());
        Assert.Equal(Reports.Server, approval.Server);
        Assert.Equal(Reports.Leaf.Sha256Fingerprint, approval.Fingerprint.ToString());
        Assert.Equal(Untrusted, approval.AcceptedProblems);
        Assert.Equal(TestPki.Now.AddMinutes(5), approval.ApprovedAt);
        Assert.Equal(Reports.Leaf.Subject, approval.Subject);
    }

    [Fact]
    public async Task Warn_and_a_refusal_refuses_and_remembers_nothing_so_the_next_attempt_asks_again()
    {
        var prompt = TestPrompt.Answering(PromptAnswer.Deny);
        using var fixture = new EngineFixture(InvalidCertificateAction.Warn, prompt);

        CertificateDecision first = await fixture.Engine.DecideAsync(Reports.Invalid(Untrusted), Ct);
        CertificateDecision second = await fixture.Engine.DecideAsync(Reports.Invalid(Untrusted), Ct);

        Assert.Equal((DecisionOutcome.Refuse, DecisionReason.DeniedByUser), (first.Outcome, first.Reason));
        Assert.Equal(DecisionReason.DeniedByUser, second.Reason);
        Assert.Equal(2, prompt.Calls);
        Assert.Empty(fixture.Approvals.List());
    }

    [Fact]
    public async Task A_different_certificate_for_the_same_server_asks_again()
    {
        var prompt = TestPrompt.Answering(PromptAnswer.Allow);
        using var fixture = new EngineFixture(InvalidCertificateAction.Warn, prompt);
        await fixture.Engine.DecideAsync(Reports.Invalid(Untrusted), Ct);

        CertificateDecision decision = await fixture.Engine.DecideAsync(Reports.Invalid(Untrusted, certificate: Reports.OtherLeaf), Ct);

        Assert.Equal(DecisionReason.ApprovedByUser, decision.Reason);
        Assert.Equal(2, prompt.Calls);
        Assert.Equal(Reports.OtherLeaf.Sha256Fingerprint, prompt.Requests[1].Certificate.Sha256Fingerprint);
    }

    [Theory]
    [InlineData("other.example.test", 8443)]
    [InlineData("ems.example.test", 443)]
    public async Task The_same_certificate_for_another_server_asks_again(string host, int port)
    {
        var prompt = TestPrompt.Answering(PromptAnswer.Allow);
        using var fixture = new EngineFixture(InvalidCertificateAction.Warn, prompt);
        await fixture.Engine.DecideAsync(Reports.Invalid(Untrusted), Ct);

        CertificateDecision decision = await fixture.Engine.DecideAsync(Reports.Invalid(Untrusted, server: ServerIdentity.Create(host, port)), Ct);

        Assert.Equal(DecisionReason.ApprovedByUser, decision.Reason);
        Assert.Equal(2, prompt.Calls);
        Assert.Equal(2, fixture.Approvals.List().Count);
    }

    [Theory]
    [InlineData(CertificateProblemKinds.UntrustedRoot | CertificateProblemKinds.Expired)]
    [InlineData(CertificateProblemKinds.Expired)]
    [InlineData(CertificateProblemKinds.NameMismatch)]
    public async Task An_approved_certificate_whose_problems_changed_asks_again(CertificateProblemKinds now)
    {
        var prompt = TestPrompt.Answering(PromptAnswer.Deny);
        var approvals = new InMemoryApprovalStore();
        await approvals.SaveAsync(new CertificateApproval(Reports.Server, CertificateFingerprint.Parse(Reports.Leaf.Sha256Fingerprint), Untrusted, TestPki.Now), Ct);
        using var fixture = new EngineFixture(InvalidCertificateAction.Warn, prompt, approvals);

        CertificateDecision decision = await fixture.Engine.DecideAsync(Reports.Invalid(now), Ct);

        Assert.Equal(DecisionReason.DeniedByUser, decision.Reason);
        Assert.Equal(now, Assert.Single(prompt.Requests).ProblemKinds);
        Assert.Contains(fixture.Logs.Collector.GetSnapshot(), r => r.Id.Id == 4030 && r.Id.Name == "ApprovalNoLongerCovers" && r.Message.Contains(nameof(ApprovalChanges.NewProblems), StringComparison.Ordinal));
        Assert.Equal(ApprovalChanges.NewProblems, prompt.Requests[0].Changes);
    }

    [Fact]
    public async Task Approving_the_changed_problems_replaces_the_old_approval()
    {
        var prompt = TestPrompt.Answering(PromptAnswer.Allow);
        using var fixture = new EngineFixture(InvalidCertificateAction.Warn, prompt);
        await fixture.Engine.DecideAsync(Reports.Invalid(Untrusted), Ct);

        await fixture.Engine.DecideAsync(Reports.Invalid(Untrusted | CertificateProblemKinds.Expired), Ct);

        CertificateApproval approval = Assert.Single(fixture.Approvals.List());
        Assert.Equal(Untrusted | CertificateProblemKinds.Expired, approval.AcceptedProblems);
        Assert.Equal(2, prompt.Calls);
    }

    [Fact]
    public async Task Without_a_prompt_warn_refuses_and_says_no_one_could_be_asked()
    {
        using var fixture = new EngineFixture(InvalidCertificateAction.Warn, prompt: null);

        CertificateDecision decision = await fixture.Engine.DecideAsync(Reports.Invalid(Untrusted), Ct);

        Assert.Equal((DecisionOutcome.Refuse, DecisionReason.NoPrompt), (decision.Outcome, decision.Reason));
        Assert.Contains("no one to ask", decision.Message, StringComparison.Ordinal);
        Assert.Contains("fails closed", decision.Message, StringComparison.Ordinal);
        Assert.False(fixture.Engine.CanPrompt);
    }

    [Fact]
    public async Task Without_a_prompt_a_remembered_approval_still_connects()
    {
        var approvals = new InMemoryApprovalStore();
        await approvals.SaveAsync(new CertificateApproval(Reports.Server, CertificateFingerprint.Parse(Reports.Leaf.Sha256Fingerprint), Untrusted, TestPki.Now), Ct);
        using var fixture = new EngineFixture(InvalidCertificateAction.Warn, prompt: null, approvals);

        CertificateDecision decision = await fixture.Engine.DecideAsync(Reports.Invalid(Untrusted), Ct);

        Assert.Equal(DecisionReason.RememberedApproval, decision.Reason);
    }

    [Fact]
    public async Task A_prompt_that_is_not_answered_in_time_refuses_and_withdraws_the_question()
    {
        var prompt = TestPrompt.Gated();
        using var fixture = new EngineFixture(InvalidCertificateAction.Warn, prompt, promptTimeout: TimeSpan.FromSeconds(30));

        ValueTask<CertificateDecision> pending = fixture.Engine.DecideAsync(Reports.Invalid(Untrusted), Ct);
        await prompt.Asked.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        fixture.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(pending.IsCompleted);
        fixture.Time.Advance(TimeSpan.FromSeconds(1));
        CertificateDecision decision = await pending.AsTask().WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal((DecisionOutcome.Refuse, DecisionReason.PromptTimedOut), (decision.Outcome, decision.Reason));
        Assert.Contains("did not answer in time", decision.Message, StringComparison.Ordinal);
        Assert.True(prompt.LastToken.IsCancellationRequested);
        Assert.Empty(fixture.Approvals.List());
    }

    [Fact]
    public async Task A_prompt_that_ignores_cancellation_still_times_out()
    {
        var prompt = TestPrompt.GatedIgnoringCancellation();
        using var fixture = new EngineFixture(InvalidCertificateAction.Warn, prompt, promptTimeout: TimeSpan.FromSeconds(10));

        ValueTask<CertificateDecision> pending = fixture.Engine.DecideAsync(Reports.Invalid(Untrusted), Ct);
        await prompt.Asked.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        fixture.Time.Advance(TimeSpan.FromSeconds(10));
        CertificateDecision decision = await pending.AsTask().WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(DecisionReason.PromptTimedOut, decision.Reason);
        prompt.Release(PromptAnswer.Allow);
        Assert.Empty(fixture.Approvals.List());
    }

    [Fact]
    public async Task After_a_timeout_the_next_attempt_asks_again()
    {
        var prompt = TestPrompt.Gated();
        using var fixture = new EngineFixture(InvalidCertificateAction.Warn, prompt, promptTimeout: TimeSpan.FromSeconds(10));
        ValueTask<CertificateDecision> first = fixture.Engine.DecideAsync(Reports.Invalid(Untrusted), Ct);
        await prompt.Asked.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        fixture.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(DecisionReason.PromptTimedOut, (await first.AsTask().WaitAsync(TimeSpan.FromSeconds(30), Ct)).Reason);

        ValueTask<CertificateDecision> second = fixture.Engine.DecideAsync(Reports.Invalid(Untrusted), Ct);
        prompt.Release(PromptAnswer.Allow);
        CertificateDecision decision = await second.AsTask().WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(DecisionReason.ApprovedByUser, decision.Reason);
        Assert.Equal(2, prompt.Calls);
    }

    [Fact]
    public async Task A_prompt_that_throws_refuses_with_the_failure_logged()
    {
        var prompt = TestPrompt.Throwing(new InvalidOperationException("The desktop session is locked."));
        using var fixture = new EngineFixture(InvalidCertificateAction.Warn, prompt);

        CertificateDecision decision = await fixture.Engine.DecideAsync(Reports.Invalid(Untrusted), Ct);

        Assert.Equal((DecisionOutcome.Refuse, DecisionReason.PromptFailed), (decision.Outcome, decision.Reason));
        var record = Assert.Single(fixture.Logs.Collector.GetSnapshot(), r => r.Id.Id == 4008);
        Assert.IsType<InvalidOperationException>(record.Exception);
        Assert.Empty(fixture.Approvals.List());
    }

    [Fact]
    public async Task A_prompt_answer_that_is_neither_allow_nor_deny_refuses()
    {
        var prompt = TestPrompt.Answering((PromptAnswer)7);
        using var fixture = new EngineFixture(InvalidCertificateAction.Warn, prompt);

        CertificateDecision decision = await fixture.Engine.DecideAsync(Reports.Invalid(Untrusted), Ct);

        Assert.Equal(DecisionReason.PromptFailed, decision.Reason);
        Assert.Empty(fixture.Approvals.List());
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task A_report_without_a_server_or_a_certificate_cannot_be_approved(bool withoutServer, bool withoutCertificate)
    {
        var prompt = TestPrompt.Answering(PromptAnswer.Allow);
        using var fixture = new EngineFixture(InvalidCertificateAction.Warn, prompt);

        CertificateDecision decision = await fixture.Engine.DecideAsync(
            Reports.Invalid(CertificateProblemKinds.NoCertificate, withoutServer: withoutServer, withoutCertificate: withoutCertificate), Ct);

        Assert.Equal((DecisionOutcome.Refuse, DecisionReason.NotApprovable), (decision.Outcome, decision.Reason));
        Assert.Equal(0, prompt.Calls);
    }

    [Fact]
    public void Deciding_without_a_prompt_refuses_for_now_when_the_user_would_have_to_be_asked()
    {
        var prompt = TestPrompt.Answering(PromptAnswer.Allow);
        using var fixture = new EngineFixture(InvalidCertificateAction.Warn, prompt);

        CertificateDecision decision = fixture.Engine.DecideWithoutPrompt(Reports.Invalid(Untrusted));

        Assert.Equal((DecisionOutcome.Refuse, DecisionReason.NeedsUserAnswer), (decision.Outcome, decision.Reason));
        Assert.Contains("needs the user's answer", decision.Message, StringComparison.Ordinal);
        Assert.Equal(0, prompt.Calls);
    }

    [Theory]
    [InlineData(InvalidCertificateAction.Allow, DecisionReason.AllowedByPolicy)]
    [InlineData(InvalidCertificateAction.Deny, DecisionReason.DeniedByPolicy)]
    public void Deciding_without_a_prompt_applies_allow_and_deny(InvalidCertificateAction action, DecisionReason expected)
    {
        using var fixture = new EngineFixture(action, TestPrompt.Answering(PromptAnswer.Allow));

        Assert.Equal(expected, fixture.Engine.DecideWithoutPrompt(Reports.Invalid(Untrusted)).Reason);
    }

    [Fact]
    public async Task A_user_approval_that_cannot_be_remembered_still_connects_this_once()
    {
        var prompt = TestPrompt.Answering(PromptAnswer.Allow);
        using var fixture = new EngineFixture(InvalidCertificateAction.Warn, prompt, new FailingApprovalStore(failReads: false, failWrites: true));

        CertificateDecision first = await fixture.Engine.DecideAsync(Reports.Invalid(Untrusted), Ct);
        CertificateDecision second = await fixture.Engine.DecideAsync(Reports.Invalid(Untrusted), Ct);

        Assert.Equal(DecisionReason.ApprovedByUser, first.Reason);
        Assert.Contains("could not be remembered", first.Message, StringComparison.Ordinal);
        Assert.Equal(DecisionReason.ApprovedByUser, second.Reason);
        Assert.Equal(2, prompt.Calls);
        Assert.Contains(fixture.Logs.Collector.GetSnapshot(), r => r.Id.Id == 4025);
    }

    [Fact]
    public async Task An_approval_store_that_cannot_be_read_approves_nothing()
    {
        var prompt = TestPrompt.Answering(PromptAnswer.Deny);
        using var fixture = new EngineFixture(InvalidCertificateAction.Warn, prompt, new FailingApprovalStore(failReads: true, failWrites: false));

        CertificateDecision decision = await fixture.Engine.DecideAsync(Reports.Invalid(Untrusted), Ct);

        Assert.Equal(DecisionReason.DeniedByUser, decision.Reason);
        Assert.Equal(1, prompt.Calls);
        Assert.Contains(fixture.Logs.Collector.GetSnapshot(), r => r.Id.Id == 4026);
    }

    [Fact]
    public async Task The_prompt_gets_what_a_person_needs_to_decide()
    {
        var prompt = TestPrompt.Answering(PromptAnswer.Deny);
        using var fixture = new EngineFixture(InvalidCertificateAction.Warn, prompt);

        await fixture.Engine.DecideAsync(Reports.Invalid(Untrusted | CertificateProblemKinds.Expired), Ct);

        CertificatePromptRequest request = Assert.Single(prompt.Requests);
        Assert.Equal("test", request.ProfileName);
        Assert.Equal(Reports.Server, request.Server);
        Assert.Same(Reports.Leaf, request.Certificate);
        Assert.Equal(Untrusted | CertificateProblemKinds.Expired, request.ProblemKinds);
        Assert.Equal(2, request.Problems.Count);
        Assert.Equal(
            ["The certificate has expired.", "The certificate was issued by an authority that is not in the in-memory trust store."],
            request.ProblemDescriptions);
        string text = request.ToString();
        Assert.Contains("ems.example.test:8443", text, StringComparison.Ordinal);
        Assert.Contains(Reports.Leaf.Subject, text, StringComparison.Ordinal);
        Assert.Contains(Reports.Leaf.Issuer, text, StringComparison.Ordinal);
        Assert.Contains(Reports.Leaf.NotAfter.UtcDateTime.ToString("u", System.Globalization.CultureInfo.InvariantCulture), text, StringComparison.Ordinal);
        Assert.Contains(Reports.Leaf.Sha256Fingerprint[..2] + ":" + Reports.Leaf.Sha256Fingerprint[2..4], text, StringComparison.Ordinal);
    }

    [Fact]
    public void Engine_settings_out_of_range_are_refused_naming_the_setting()
    {
        var validator = new CertificateValidator(new CertificateValidatorOptions { TrustStore = TrustStore.FromCertificates([]) });

        ArgumentException timeout = Assert.Throws<ArgumentException>(() => new CertificateDecisionEngine(validator, new CertificateDecisionEngineOptions { PromptTimeout = TimeSpan.Zero }));
        ArgumentException action = Assert.Throws<ArgumentException>(() => new CertificateDecisionEngine(validator, new CertificateDecisionEngineOptions { InvalidCertificateAction = (InvalidCertificateAction)9 }));

        Assert.Equal("PromptTimeout", timeout.ParamName);
        Assert.Equal("InvalidCertificateAction", action.ParamName);
    }

    [Fact]
    public async Task Without_options_an_engine_warns_remembers_in_memory_and_refuses_for_lack_of_a_prompt()
    {
        var engine = new CertificateDecisionEngine(new CertificateValidator(new CertificateValidatorOptions { TrustStore = TrustStore.FromCertificates([]) }));

        CertificateDecision decision = await engine.DecideAsync(Reports.Invalid(Untrusted), Ct);

        Assert.Equal(InvalidCertificateAction.Warn, engine.InvalidCertificateAction);
        Assert.IsType<InMemoryApprovalStore>(engine.Approvals);
        Assert.Equal(TimeSpan.FromMinutes(2), engine.PromptTimeout);
        Assert.Equal(DecisionReason.NoPrompt, decision.Reason);
    }

    [Fact]
    public async Task A_cancelled_token_stops_the_decision_before_it_starts()
    {
        var prompt = TestPrompt.Answering(PromptAnswer.Allow);
        using var fixture = new EngineFixture(InvalidCertificateAction.Warn, prompt);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await fixture.Engine.DecideAsync(Reports.Invalid(Untrusted), new CancellationToken(true)));

        Assert.Equal(0, prompt.Calls);
    }
}
