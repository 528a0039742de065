namespace CertPolicy;

/// <summary>
/// A server certificate refused by an endpoint profile, on a path that reports refusals as exceptions (HTTP:
/// the inner exception of the request's <see cref="HttpRequestException"/>). Retrying cannot change the decision:
/// tell retry and circuit-breaker policies to leave it alone with <see cref="IsRefusal"/>.
/// </summary>
#pragma warning disable CA1032 // Only CertPolicy raises it, always with the decision: no constructors without one.
public sealed class CertificateRejectedException : Exception
#pragma warning restore CA1032
{
    internal CertificateRejectedException(CertificateDecision decision)
        : base(decision.Message)
    {
        Decision = decision;
    }

    /// <summary>
    /// The refusal: its <see cref="CertificateDecision.Reason"/>, and in <see cref="CertificateDecision.Report"/> the
    /// server identity, the problems found and the certificate (with its SHA-256 fingerprint).
    /// </summary>
    public CertificateDecision Decision { get; }

    /// <summary>
    /// The certificate refusal in <paramref name="exception"/> or its chain of inner exceptions (as far as 16 deep),
    /// or null when the failure was not a refusal by CertPolicy (a refused connection, a timeout).
    /// </summary>
    /// <param name="exception">An exception from a request, for example an <see cref="HttpRequestException"/>; null gives null.</param>
    /// <returns>The refusal, or null.</returns>
    public static CertificateRejectedException? Find(Exception? exception) => ExceptionChain.Find<CertificateRejectedException>(exception);

    /// <summary>
    /// True when <paramref name="exception"/> is, or wraps, a certificate refusal by CertPolicy: a failure no retry
    /// can mend. Use it to keep such failures out of a resilience pipeline's retries, for example
    /// <c>options.Retry.ShouldHandle = args => ValueTask.FromResult(!CertificateRejectedException.IsRefusal(args.Outcome.Exception) &amp;&amp; HttpClientResiliencePredicates.IsTransient(args.Outcome));</c>
    /// </summary>
    /// <param name="exception">An exception from a request; null gives false.</param>
    /// <returns>True for a refusal.</returns>
    public static bool IsRefusal(Exception? exception) => Find(exception) is not null;
}
