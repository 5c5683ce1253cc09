using Microsoft.Extensions.Configuration;
using Serilog;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Hosting;

namespace TreasuryManager.Keeper.Tests;

/// <summary>
/// <see cref="LogFileNames"/> against Serilog's own file sink: the name `keeper run` prints is the file the sink writes,
/// for every rolling interval, and a full file continues in the name <see cref="LogFileNames.Continued"/> gives.
/// </summary>
public sealed class LogFileNamesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("treasury-logname-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(RollingInterval.Infinite)]
    [InlineData(RollingInterval.Year)]
    [InlineData(RollingInterval.Month)]
    [InlineData(RollingInterval.Day)]
    [InlineData(RollingInterval.Hour)]
    [InlineData(RollingInterval.Minute)]
    public void The_named_file_is_the_one_the_sink_writes_and_a_full_one_continues_as_named(RollingInterval interval)
    {
        var folder = Path.Combine(_dir, interval.ToString());
        var log = new LogSettings { File = Path.Combine(folder, "keeper-.log"), RollingInterval = interval, FileSizeLimitBytes = 1000 };
        var before = DateTime.Now;
        using (var logger = KeeperLogging.Create(new ConfigurationBuilder().Build(), log, TextWriter.Null))
        {
            for (var i = 0; i < 12; i++) logger.Information("line {Index} of a log that fills its first file: {Padding}", i, new string('x', 100));
        }
        var after = DateTime.Now;
        var written = Directory.GetFiles(folder).Order(StringComparer.Ordinal).ToArray();

        // the period may turn between the two clock readings (a minute's edge): either name is the sink's
        var first = new[] { LogFileNames.At(log, before), LogFileNames.At(log, after) };
        Assert.Contains(written[0], first);
        Assert.True(written.Length >= 2, $"the file rolled at 1000 bytes: {string.Join(", ", written)}");
        Assert.Equal(LogFileNames.Continued(written[0], 1), written[1]);
        if (interval == RollingInterval.Infinite) Assert.Equal(log.File, written[0]);
        else Assert.DoesNotContain(log.File, written); // the pattern itself is never a file
    }

    [Fact]
    public void After_a_restart_the_named_file_is_the_newest_of_the_period_the_sink_appends_to()
    {
        var folder = Path.Combine(_dir, "restart");
        Directory.CreateDirectory(folder);
        var log = new LogSettings { File = Path.Combine(folder, "keeper-.log"), FileSizeLimitBytes = 100_000 };
        var today = LogFileNames.At(log, DateTime.Now);
        File.WriteAllText(today, "an earlier run, full\n");
        File.WriteAllText(LogFileNames.Continued(today, 1), "an earlier run, continued\n");
        var named = LogFileNames.Current(log, DateTime.Now);
        using (var logger = KeeperLogging.Create(new ConfigurationBuilder().Build(), log, TextWriter.Null))
            logger.Information("after the restart");
        Assert.Equal(LogFileNames.Continued(today, 1), named);
        Assert.Contains("after the restart", File.ReadAllText(named));
        Assert.DoesNotContain("after the restart", File.ReadAllText(today));
    }

    [Fact]
    public void A_daily_name_puts_the_date_before_the_extension()
    {
        var log = new LogSettings { File = Path.Combine("logs", "keeper-.log") };
        Assert.Equal(Path.Combine("logs", "keeper-20261204.log"), LogFileNames.At(log, new DateTime(2026, 12, 4, 23, 59, 0, DateTimeKind.Local)));
        Assert.Equal(Path.Combine("logs", "keeper-20261204_002.log"), LogFileNames.Continued(Path.Combine("logs", "keeper-20261204.log"), 2));
    }
}
