using TreasuryManager.Cli.Commands;

namespace TreasuryManager.Cli.Tests;

/// <summary>A plain table (written to a file or a pipe) takes COLUMNS when set, else a width wide enough not to break a
/// number or a word across lines (it was a fixed 160 columns).</summary>
public sealed class TableWidthTests
{
    [Theory]
    [InlineData(null, CliConsole.DefaultTableWidth)]
    [InlineData("100", 100)]
    [InlineData("1000", 1000)]
    [InlineData("39", CliConsole.DefaultTableWidth)]
    [InlineData("wide", CliConsole.DefaultTableWidth)]
    public void The_width_is_COLUMNS_when_usable_else_the_default(string? columns, int width) =>
        Assert.Equal(width, CliConsole.TableWidth(name => name == "COLUMNS" ? columns : null));

    [Fact]
    public async Task A_plain_table_keeps_each_row_on_one_line_and_COLUMNS_narrows_it()
    {
        string[] args = ["backtest", "--scenario", "calm", "--paths", "1", "--strategies", "full-range,static-range,passive,managed,hedged,defended"];
        static string? Row(string output, string name) => output.Split('\n').FirstOrDefault(l => l.StartsWith($"  {name} ", StringComparison.Ordinal));
        var (exit, output, error) = await new TestConsole().RunAsync(args);
        Assert.True(exit == 0, error);
        foreach (var name in new[] { "full-range", "static-range", "passive", "managed", "hedged", "defended" })
            Assert.True(Row(output, name)?.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length >= 10, $"{name}'s row is one line of its name and nine figures:\n{output}");
        var narrow = new TestConsole();
        narrow.Environment["COLUMNS"] = "50";
        (exit, output, error) = await narrow.RunAsync(args);
        Assert.True(exit == 0, error);
        Assert.True(Row(output, "static-range") is not { } row || row.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length < 10, $"COLUMNS=50 wraps the rows:\n{output}");
    }
}
