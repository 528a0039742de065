using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CertPolicy.Cli.Judging;

/// <summary>
/// Collects the warnings and errors the library logs (such as a corrupt approvals file moved aside) so the tool can
/// show them in its report instead of losing them.
/// </summary>
internal sealed class MessageCollector : ILoggerFactory, ILogger
{
    private readonly ConcurrentQueue<string> _messages = new();

    /// <summary>The messages of level Warning and above, in the order logged.</summary>
    public IReadOnlyList<string> Messages => [.. _messages];

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel is >= LogLevel.Warning and < LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (IsEnabled(logLevel))
        {
            _messages.Enqueue(formatter(state, exception).ReplaceLineEndings(" ").Trim());
        }
    }
}
