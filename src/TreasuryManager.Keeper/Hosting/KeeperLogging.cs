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

/// <summary>The files the rolling sink of <see cref="LogSettings"/> writes, named as Serilog's file sink names them.</summary>
public static class LogFileNames
{
    /// <summary>
    /// The file written at <paramref name="localTime"/> (the sink rolls by local time): the period of
    /// <see cref="LogSettings.RollingInterval"/> inserted before the extension (logs/keeper-.log on 2026-12-04, daily:
    /// logs/keeper-20261204.log; Infinite: the path as given). A file that reaches the size limit continues in
    /// <see cref="Continued"/>.
    /// </summary>
    public static string At(LogSettings log, DateTime localTime)
    {
        ArgumentNullException.ThrowIfNull(log);
        var period = log.RollingInterval switch
        {
            RollingInterval.Infinite => "",
            RollingInterval.Year => "yyyy",
            RollingInterval.Month => "yyyyMM",
            RollingInterval.Day => "yyyyMMdd",
            RollingInterval.Hour => "yyyyMMddHH",
            RollingInterval.Minute => "yyyyMMddHHmm",
            _ => throw new ArgumentOutOfRangeException(nameof(log), log.RollingInterval, "not a Serilog rolling interval"),
        };
        return Insert(log.File, period.Length == 0 ? "" : localTime.ToString(period, CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The file the sink writes when it opens at <paramref name="localTime"/>: the newest of the period already on disk
    /// (a restart appends to the last continuation, keeper-20261204_002.log), else <see cref="At"/>.
    /// </summary>
    public static string Current(LogSettings log, DateTime localTime)
    {
        var first = At(log, localTime);
        var newest = first;
        for (var sequence = 1; File.Exists(Continued(first, sequence)); sequence++) newest = Continued(first, sequence);
        return newest;
    }

    /// <summary>The <paramref name="sequence"/>-th continuation (1, 2, …) of <paramref name="file"/> once it is full: keeper-20261204_001.log.</summary>
    public static string Continued(string file, int sequence) =>
        Insert(file, "_" + sequence.ToString("000", CultureInfo.InvariantCulture));

    private static string Insert(string path, string text) =>
        Path.Combine(Path.GetDirectoryName(path) ?? "", Path.GetFileNameWithoutExtension(path) + text + Path.GetExtension(path));
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
