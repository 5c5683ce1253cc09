using System.Globalization;
using Microsoft.Extensions.Configuration;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Keeper.Hosting;

/// <summary>
/// The keeper bot's one Serilog logger: every line to the given console writer (the command line's output, not the
/// process console directly) and to the rolling file of <see cref="LogSettings"/>; levels and extra sinks from the
/// configuration's optional "Serilog" section.
/// </summary>
public static class KeeperLogging
{
    public const string OutputTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}";
    public const string FileOutputTemplate = "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    public static Serilog.Core.Logger Create(IConfiguration configuration, LogSettings log, TextWriter console)
    {
        ArgumentNullException.ThrowIfNull(log);
        var folder = Path.GetDirectoryName(Path.GetFullPath(log.File));
        try
        {
            if (folder is not null) Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SettingsException("Log:File", $"'{log.File}' cannot be written: its folder cannot be created ({e.Message}); choose a writable path");
        }
        return new LoggerConfiguration()
            // the .NET host's start-up lines (hosting environment, content root, "press Ctrl+C") say nothing about the
            // keeper: warnings only, unless the "Serilog" section says otherwise
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Warning)
            .ReadFrom.Configuration(configuration)
            .WriteTo.Sink(new TextWriterSink(console, new MessageTemplateTextFormatter(OutputTemplate, CultureInfo.InvariantCulture)))
            .WriteTo.File(log.File, outputTemplate: FileOutputTemplate, formatProvider: CultureInfo.InvariantCulture,
                rollingInterval: log.RollingInterval, fileSizeLimitBytes: log.FileSizeLimitBytes, rollOnFileSizeLimit: true,
                retainedFileCountLimit: log.RetainedFiles, flushToDiskInterval: TimeSpan.FromSeconds(1))
            .CreateLogger();
    }
}

/// <summary>Writes each event, formatted, to a <see cref="TextWriter"/> (the command line's output), one writer at a time.</summary>
internal sealed class TextWriterSink(TextWriter writer, ITextFormatter formatter) : ILogEventSink
{
    private readonly Lock _gate = new();

    public void Emit(LogEvent logEvent)
    {
        lock (_gate)
        {
            formatter.Format(logEvent, writer);
            writer.Flush();
        }
    }
}
