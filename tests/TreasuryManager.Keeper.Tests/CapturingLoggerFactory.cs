using Microsoft.Extensions.Logging;

namespace TreasuryManager.Keeper.Tests;

/// <summary>One log entry as written: category, level and the formatted message.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, string Message);

/// <summary>An <see cref="ILoggerFactory"/> that keeps every entry (all levels) in memory, for assertions on what was logged.</summary>
public sealed class CapturingLoggerFactory : ILoggerFactory
{
    private readonly List<CapturedLog> _entries = [];

    public IReadOnlyList<CapturedLog> Entries
    {
        get { lock (_entries) return _entries.ToArray(); }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("CapturingLoggerFactory keeps its entries itself");

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner._entries) owner._entries.Add(new CapturedLog(category, logLevel, formatter(state, exception)));
        }
    }
}
