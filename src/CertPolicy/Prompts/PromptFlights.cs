namespace CertPolicy;

/// <summary>
/// The questions being asked right now, so that many connections needing the same answer (same server,
/// certificate and problems) share one question. A connection that stops waiting leaves the question to the
/// others; when the last one leaves, the question is withdrawn (its cancellation token is cancelled).
/// </summary>
internal sealed class PromptFlights
{
    private readonly Lock _gate = new();
    private readonly Dictionary<PromptKey, PromptFlight> _flights = [];

    /// <summary>Joins the open question for <paramref name="key"/>, or opens one (then <paramref name="opened"/> is true and the caller must run it).</summary>
    public PromptFlight Join(PromptKey key, TimeSpan timeout, TimeProvider timeProvider, out bool opened)
    {
        lock (_gate)
        {
            opened = !_flights.TryGetValue(key, out PromptFlight? flight);
            if (opened)
            {
                flight = new PromptFlight(key, timeout, timeProvider);
                _flights.Add(key, flight);
            }

            flight!.Waiters++;
            return flight;
        }
    }

    /// <summary>A waiter leaves. Returns true when it was the last one of an unanswered question, which is then withdrawn.</summary>
    public bool Leave(PromptFlight flight, bool gaveUp)
    {
        lock (_gate)
        {
            flight.Waiters--;
            if (!gaveUp || flight.Waiters > 0 || flight.Finished)
            {
                return false;
            }

            flight.Withdrawn = true;
            Remove(flight);
        }

        // Withdrawn: this caller cancels and then disposes, so the two never overlap (Finish leaves disposal to it).
        flight.CancelAndDispose();
        return true;
    }

    /// <summary>The question is answered (or failed): later connections open a new one.</summary>
    public void Finish(PromptFlight flight)
    {
        bool withdrawn;
        lock (_gate)
        {
            flight.Finished = true;
            withdrawn = flight.Withdrawn;
            Remove(flight);
        }

        if (!withdrawn)
        {
            flight.DisposeCancellation();
        }
    }

    private void Remove(PromptFlight flight)
    {
        if (_flights.TryGetValue(flight.Key, out PromptFlight? current) && ReferenceEquals(current, flight))
        {
            _flights.Remove(flight.Key);
        }
    }
}

/// <summary>What makes two questions the same: server, certificate and problems.</summary>
internal readonly record struct PromptKey(string Host, int Port, string Sha256, CertificateProblemKinds Problems);

/// <summary>One open question and the connections waiting for its answer.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The cancellation source is disposed exactly once, by whoever ends the question (PromptFlights.Finish or Leave), never while it may still be cancelled.")]
internal sealed class PromptFlight
{
    private readonly CancellationTokenSource _cancellation;
    private readonly TaskCompletionSource<PromptResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PromptFlight(PromptKey key, TimeSpan timeout, TimeProvider timeProvider)
    {
        Key = key;
        _cancellation = new CancellationTokenSource(timeout, timeProvider);
        Token = _cancellation.Token;
    }

    public PromptKey Key { get; }

    /// <summary>Cancelled when the timeout passes or the question is withdrawn.</summary>
    public CancellationToken Token { get; }

    public Task<PromptResult> Completion => _completion.Task;

    /// <summary>Guarded by the <see cref="PromptFlights"/> lock.</summary>
    public int Waiters { get; set; }

    /// <summary>Guarded by the <see cref="PromptFlights"/> lock.</summary>
    public bool Finished { get; set; }

    /// <summary>Every waiter gave up: the token was cancelled for that reason, not by the timeout.</summary>
    public bool Withdrawn { get; set; }

    public void CancelAndDispose()
    {
        try
        {
            _cancellation.Cancel();
        }
        catch (AggregateException)
        {
            // A prompt's cancellation callback threw: the question is withdrawn all the same.
        }
        finally
        {
            _cancellation.Dispose();
        }
    }

    public void DisposeCancellation() => _cancellation.Dispose();

    public void Complete(PromptResult result) => _completion.TrySetResult(result);
}

/// <summary>How a question ended.</summary>
internal enum PromptStatus
{
    Failed,
    Approved,
    Denied,
    TimedOut,
    Withdrawn,
}

/// <summary>How a question ended, the prompt's exception if it failed, and whether an approval was remembered.</summary>
internal readonly record struct PromptResult(PromptStatus Status, Exception? Error = null, bool Remembered = false, string? Note = null);
