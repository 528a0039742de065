using CertPolicy.Tests.Support;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace CertPolicy.Tests.Handshake;

/// <summary>Every decision is observed once: one log event, one count and one duration, fast-path answers included.</summary>
public sealed class HandshakeObservabilityTests
{
    private const int Rounds = 5;

    [Fact]
    public async Task Repeated_refusals_through_the_fast_path_are_each_logged_and_counted_once()
    {
        // Both ways an application uses the policy: the synchronous callback (answered from the cache after the first
        // decision) and the asynchronous handshake (decided in full each time).
        using Agent agent = await RefuseRoundsAsync(InvalidCertificateAction.Deny, alsoAsynchronous: true);

        const int Decisions = 2 * Rounds;
        IReadOnlyList<CollectedMeasurement<long>> counted = agent.Decisions.GetMeasurementSnapshot();
        Assert.Equal(Decisions, counted.Count);
        Assert.All(counted, m => Assert.Equal("denied_by_policy", m.Tags["certpolicy.reason"]));

        IReadOnlyList<CollectedMeasurement<double>> timed = agent.Durations.GetMeasurementSnapshot();
        Assert.Equal(Decisions, timed.Count);
        Assert.Equal(Rounds - 1, timed.Count(m => Equals(m.Tags["certpolicy.path"], "fast")));
        Assert.All(timed, m => Assert.True(m.Value >= 0));

        List<FakeLogRecord> logged = [.. agent.Logs.Collector.GetSnapshot().Where(r => r.Id.Id is >= 4000 and <= 4010)];
        Assert.Equal(Decisions, logged.Count);
        Assert.All(logged, r =>
        {
            Assert.Equal(4004, r.Id.Id);
            Assert.Equal(LogLevel.Warning, r.Level);
            Assert.Contains(HandshakePki.Host, r.Message, StringComparison.Ordinal);
        });
        Assert.Equal(Rounds - 1, logged.Count(r => r.Message.Contains("handshake cache", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_refusal_under_warn_that_no_one_answered_is_logged_at_information_or_higher()
    {
        using Agent agent = await RefuseRoundsAsync(InvalidCertificateAction.Warn, alsoAsynchronous: false);

        List<FakeLogRecord> logged = [.. agent.Logs.Collector.GetSnapshot().Where(r => r.Id.Id is >= 4000 and <= 4010)];
        Assert.Equal(Rounds, logged.Count);
        Assert.All(logged, r =>
        {
            Assert.Equal(nameof(DecisionReason.NeedsUserAnswer), r.Id.Name);
            Assert.True(r.Level >= LogLevel.Information, $"Logged at {r.Level}.");
        });
        Assert.Equal(Rounds, agent.Decisions.GetMeasurementSnapshot().Count);
    }

    [Fact]
    public void Every_reason_has_its_own_event_and_metric_tag_from_its_name()
    {
        DecisionReason[] reasons = Enum.GetValues<DecisionReason>();
        Assert.All(reasons, r =>
        {
            (EventId id, LogLevel level) = DecisionEvents.Of(r);
            Assert.Equal(r.ToString(), id.Name);
            Assert.InRange(id.Id, 4000, 4019);
            Assert.Equal(r.ToString().ToLowerInvariant(), CertPolicyMetrics.ReasonName(r).Replace("_", string.Empty, StringComparison.Ordinal));
            if (r is not (DecisionReason.Valid or DecisionReason.AllowedByPolicy or DecisionReason.ApprovedByUser or DecisionReason.RememberedApproval))
            {
                Assert.True(level >= LogLevel.Information, $"{r} refuses at {level}.");
            }
        });
        Assert.Equal(reasons.Length, reasons.Select(r => DecisionEvents.Of(r).Id.Id).Distinct().Count());
    }

    /// <summary>
    /// <see cref="Rounds"/> connections to a server presenting an expired certificate through the synchronous callback
    /// (and as many through <see cref="HandshakePolicy.AuthenticateAsClientAsync"/>), each refused.
    /// </summary>
    private static async Task<Agent> RefuseRoundsAsync(InvalidCertificateAction action, bool alsoAsynchronous)
    {
        await using var server = LoopbackTlsServer.Start(HandshakePki.Expired);
        var agent = new Agent(action);
        try
        {
            ServerIdentity identity = ServerIdentity.Create(HandshakePki.Host, server.Port);
            for (int round = 0; round < Rounds; round++)
            {
                Assert.False((await TlsClient.ConnectWithCallbackAsync(agent.Policy, identity, server.Port)).Connected);
                if (alsoAsynchronous)
                {
                    Assert.False((await TlsClient.ConnectAsync(agent.Policy, identity, server.Port)).Connected);
                }
            }

            return agent;
        }
        catch
        {
            agent.Dispose();
            throw;
        }
    }
}
