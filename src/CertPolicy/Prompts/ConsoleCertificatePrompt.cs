using System.Diagnostics;
using System.Globalization;

namespace CertPolicy;

/// <summary>
/// A ready prompt for console agents: shows the question (the server, the problems in plain words, the certificate's
/// subject, issuer, validity, SHA-256 fingerprint and public-key pin, and how long the user has to answer) and reads
/// the answer, so that a console agent needs no prompt code of its own.
/// </summary>
/// <remarks>
/// <para>
/// "y" or "yes" allows (the engine then remembers the approval); "n", "no", an empty line or the end of the input
/// denies; anything else is asked again, three times in all, then denied. Case and surrounding spaces do not matter.
/// </para>
/// <para>
/// A console read cannot be cancelled, so lines are read on a background task and at most one read is ever pending.
/// When the engine withdraws the question (the profile's prompt timeout passed, or no connection waits for it any
/// more), <see cref="AskAsync"/> says so and throws <see cref="OperationCanceledException"/> at once; the read stays
/// pending. A line that arrives while no question is open answers nothing and is discarded, so an answer typed too
/// late never answers a later question; a line that arrives while a question is open answers it.
/// </para>
/// <para>
/// Questions are asked one at a time: a second one (another server or certificate) waits, its timeout running, until
/// the first is answered or withdrawn. Text taken from the certificate is printed with control characters escaped.
/// </para>
/// </remarks>
public sealed class ConsoleCertificatePrompt : ICertificatePrompt
{
    /// <summary>How many times a question is asked before an unclear answer counts as no.</summary>
    private const int Attempts = 3;

    private readonly TextReader _input;
    private readonly TextWriter _output;
    private readonly Lock _gate = new();
    private Task _lastQuestion = Task.CompletedTask;
    private Task<string?>? _read;
    private TaskCompletionSource<string?>? _waiting;

    /// <summary>Creates a prompt on the process's console (<see cref="Console.In"/> and <see cref="Console.Out"/>).</summary>
    public ConsoleCertificatePrompt()
        : this(Console.In, Console.Out)
    {
    }

    /// <summary>Creates a prompt that reads answers from <paramref name="input"/> and writes questions to <paramref name="output"/>.</summary>
    /// <param name="input">Where answers come from, one per line.</param>
    /// <param name="output">Where questions are written; it is written to from one thread at a time.</param>
    public ConsoleCertificatePrompt(TextReader input, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        _input = input;
        _output = TextWriter.Synchronized(output);
    }

    /// <summary>Shows the question and waits for the answer.</summary>
    /// <param name="request">What the user needs to decide.</param>
    /// <param name="cancellationToken">Cancelled by the engine when the answer is no longer wanted.</param>
    /// <returns><see cref="PromptAnswer.Allow"/> for yes; <see cref="PromptAnswer.Deny"/> for no, no answer or an unclear one.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before an answer came.</exception>
    public async ValueTask<PromptAnswer> AskAsync(CertificatePromptRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        long asked = Stopwatch.GetTimestamp();

        // One question at a time, in the order asked: this one starts when the one before it is over.
        var over = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task before;
        lock (_gate)
        {
            before = _lastQuestion;
            _lastQuestion = over.Task;
        }

        try
        {
            await before.WaitAsync(cancellationToken).ConfigureAwait(false);
            WriteQuestion(request, Stopwatch.GetElapsedTime(asked));
            for (int attempt = 1; attempt <= Attempts; attempt++)
            {
                _output.Write("Connect anyway, and remember this approval for this server? [y/N] ");
                _output.Flush();
                string? line;
                try
                {
                    line = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    _output.WriteLine();
                    _output.WriteLine("The question was withdrawn (no answer in time, or no connection waits for it any more): not connecting.");
                    throw;
                }

                switch (line?.Trim().ToUpperInvariant())
                {
                    case "Y" or "YES":
                        _output.WriteLine("Allowed: connecting.");
                        return PromptAnswer.Allow;
                    case null or "" or "N" or "NO":
                        _output.WriteLine(line is null ? "No answer (end of input): not connecting." : "Denied: not connecting.");
                        return PromptAnswer.Deny;
                    default:
                        _output.WriteLine(attempt < Attempts ? "Please answer y (yes) or n (no)." : "No clear answer: not connecting.");
                        break;
                }
            }

            return PromptAnswer.Deny;
        }
        finally
        {
            // Withdrawn while waiting its turn, this question is over only when the one before it is.
            _ = before.ContinueWith(_ => over.TrySetResult(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>"2 minutes", "1 minute 30 seconds", "45 seconds": whole seconds, rounded up.</summary>
    internal static string Duration(TimeSpan duration)
    {
        var rounded = TimeSpan.FromSeconds(Math.Ceiling(Math.Max(0, duration.TotalSeconds)));
        var parts = new List<string>(3);
        Add(parts, (long)rounded.TotalHours, "hour");
        Add(parts, rounded.Minutes, "minute");
        Add(parts, rounded.Seconds, "second");
        return parts.Count == 0 ? "no time left" : string.Join(' ', parts);

        static void Add(List<string> parts, long count, string unit)
        {
            if (count > 0)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{count} {unit}{(count == 1 ? string.Empty : "s")}"));
            }
        }
    }

    /// <summary>The question; <paramref name="waited"/> (for the question before it) is taken off the time to answer.</summary>
    private void WriteQuestion(CertificatePromptRequest request, TimeSpan waited)
    {
        _output.WriteLine();
        foreach (string line in request.ToString().Split('\n'))
        {
            _output.WriteLine(DisplayText.Escape(line.TrimEnd('\r')));
        }

        if (request.AnswerTimeout is { } timeout)
        {
            _output.WriteLine($"You have {Duration(timeout - waited)} to answer; without an answer the connection is refused.");
        }
    }

    /// <summary>The next line that arrives while this question is open; the one pending read is shared.</summary>
    private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var waiting = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<string?>? started = null;
        lock (_gate)
        {
            _waiting = waiting;
            if (_read is null)
            {
                started = _read = Task.Run(() => _input.ReadLine(), CancellationToken.None);
            }
        }

        // Outside the lock: a read that already finished delivers its line on this thread.
        started?.ContinueWith(Delivered, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            return await waiting.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                if (ReferenceEquals(_waiting, waiting))
                {
                    _waiting = null;
                }
            }
        }
    }

    /// <summary>Gives a line read to the question open now; with none open, the line answers nothing.</summary>
    private void Delivered(Task<string?> read)
    {
        TaskCompletionSource<string?>? waiting;
        lock (_gate)
        {
            _read = null;
            waiting = _waiting;
            _waiting = null;
        }

        if (waiting is null)
        {
            _ = read.Exception; // A failed read nobody waits for is observed here, and dropped.
            if (read.IsCompletedSuccessfully && read.Result is not null)
            {
                _output.WriteLine("(A line typed while no question was open was ignored.)");
            }

            return;
        }

        if (read.IsCompletedSuccessfully)
        {
            waiting.TrySetResult(read.Result);
        }
        else
        {
            waiting.TrySetException(read.Exception?.InnerExceptions ?? [new OperationCanceledException()]);
        }
    }
}
