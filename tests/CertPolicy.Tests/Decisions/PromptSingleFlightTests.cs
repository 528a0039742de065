namespace CertPolicy.Tests.Decisions;

public sealed class PromptSingleFlightTests
{
    private const CertificateProblemKinds Untrusted = CertificateProblemKinds.UntrustedRoot;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(PromptAnswer.Allow, DecisionReason.ApprovedByUser)]
    [InlineData(PromptAnswer.Deny, DecisionReason.DeniedByUser)]
    public async Task Many_connections_needing_the_same_answer_at_once_ask_once(PromptAnswer answer, DecisionReason expected)
    {
        const int Connections = 16;
        var prompt = TestPrompt.Gated();
        using var fixture = new EngineFixture(InvalidCertificateAction.Warn, prompt);

        // Each task returns once its decision has joined the question (DecideAsync joins before its first await).
        Task<Task<CertificateDecision>>[] joining = [.. Enumerable.Range(0, Connections)
            .Select(_ => Task.Factory.StartNew(
                () => fixture.Engine.DecideAsync(Reports.Invalid(Untrusted), Ct).AsTask(), Ct, TaskCreationOptions.None, TaskScheduler.Default))];
        Task<CertificateDecision>[] decisions = await Task.WhenAll(joining).WaitAsync(Bound, Ct);
        await prompt.Asked.WaitAsync(Bound, Ct);
        prompt.Release(answer);
        CertificateDecision[] results = await Task.WhenAll(decisions).WaitAsync(Bound, Ct);

        Assert.Equal(1, prompt.Calls);
        Assert.All(results, d => Assert.Equal(expected, d.Reason));
        Assert.Equal(answer == PromptAnswer.Allow ? 1 : 0, fixture.Approvals.List().Count);
        Assert.Single(fixture.Logs.Collector.GetSnapshot(), r => r.Id.Id == 4020);
        Assert.Equal(Connections - 1, fixture.Logs.Collector.GetSnapshot().Count(r => r.Id.Id == 4021));
    }

    [Fact]
    public async Task One_connection_giving_up_leaves_the_question_open_for_the_others()
    {
        var prompt = TestPrompt.Gated();
        using var fixture = new EngineFixture(InvalidCertificateAction.Warn, prompt);
        using var impatient = new CancellationTokenSource();

        Task<CertificateDecision> first = fixture.Engine.DecideAsync(Reports.Invalid(Untrusted), impatient.Token).AsTask();
        Task<CertificateDecision> second = fixture.Engine.DecideAsync(Reports.Invalid(Untrusted), Ct).AsTask();
        await prompt.Asked.WaitAsync(Bound, Ct);
        await impatient.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.WaitAsync(Bound, Ct));
        Assert.False(prompt.LastToken.IsCancellationRequested);
        prompt.Release(PromptAnswer.Allow);
        CertificateDecision decision = await second.WaitAsync(Bound, Ct);

        Assert.Equal(DecisionReason.ApprovedByUser, decision.Reason);
        Assert.Equal(1, prompt.Calls);
        Assert.Single(fixture.Approvals.List());
    }

    [Fact]
    public async Task When_every_connection_gives_up_the_question_is_withdrawn_and_the_next_one_asks_again()
    {
        var prompt = TestPrompt.Gated();
        using var fixture = new EngineFixture(InvalidCertificateAction.Warn, prompt);
        using var impatient = new CancellationTokenSource();

        Task<CertificateDecision> abandoned = fixture.Engine.DecideAsync(Reports.Invalid(Untrusted), impatient.Token).AsTask();
        await prompt.Asked.WaitAsync(Bound, Ct);
        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned.WaitAsync(Bound, Ct));

        Assert.True(prompt.LastToken.IsCancellationRequested);
        Assert.Contains(fixture.Logs.Collector.GetSnapshot(), r => r.Id.Id == 4022);

        Task<CertificateDecision> next = fixture.Engine.DecideAsync(Reports.Invalid(Untrusted), Ct).AsTask();
        await prompt.WaitForCallsAsync(2);
        prompt.Release(PromptAnswer.Deny);
        Assert.Equal(DecisionReason.DeniedByUser, (await next.WaitAsync(Bound, Ct)).Reason);
        Assert.Empty(fixture.Approvals.List());
    }

    [Fact]
    public async Task Different_problems_or_certificates_are_different_questions()
    {
        var prompt = TestPrompt.Gated();
        using var fixture = new EngineFixture(InvalidCertificateAction.Warn, prompt);

        Task<CertificateDecision>[] decisions =
        [
            fixture.Engine.DecideAsync(Reports.Invalid(Untrusted), Ct).AsTask(),
            fixture.Engine.DecideAsync(Reports.Invalid(Untrusted | CertificateProblemKinds.Expired), Ct).AsTask(),
            fixture.Engine.DecideAsync(Reports.Invalid(Untrusted, certificate: Reports.OtherLeaf), Ct).AsTask(),
            fixture.Engine.DecideAsync(Reports.Invalid(Untrusted), Ct).AsTask(),
        ];
        await prompt.WaitForCallsAsync(3);
        prompt.Release(PromptAnswer.Allow);
        await Task.WhenAll(decisions).WaitAsync(Bound, Ct);

        Assert.Equal(3, prompt.Calls);
        Assert.Equal(2, fixture.Approvals.List().Count);
    }
}
