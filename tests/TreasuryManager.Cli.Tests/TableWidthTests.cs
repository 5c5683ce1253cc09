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

/// <summary>
/// `treasury status` at 120, 100 and 80 columns: the ten-column pool table broke words and numbers across lines
/// ("ManagedPo|ol", "0.0000200|0–199,995", "StaleOra|cle"), cut its headers to "(low–hig…" and took some thirty lines a
/// pool; when it does not fit, each pool is a block of "field: value" lines instead, and the wide table stays when it fits.
/// </summary>
public sealed class StatusTableWidthTests
{
    internal static readonly string[] Headers = ["pool", "venue", "price (pool / oracle)", "range (low–high)", "fee", "base / quote", "base share", "inventory / band", "feeds (age / heartbeat)", "decision"];

    /// <summary>The cells `status` printed for a ManagedPool and a Uniswap v3 position (both planning) and for a pool
    /// holding on a stale feed, on a local node.</summary>
    internal static readonly string[][] Rows =
    [
        ["BASE/USDQ", "ManagedPool", "0.0000200 / 2.0000", "0.0000200–199,995 → 0.60302–6.6332", "3000 pips → 3000 pips", "100,000 / 200,000", "49.99%", "0 / ±9,369",
            "price 0x7553…14F1 fresh 0 s / 3600 s; volatility 0xE451…d73F fresh 0 s / 3600 s", "PLAN: benefit 1,055 vs gas 0.30666 (102020 gas)"],
        ["BASE/USDQ v3", "Uniswap v3: liquidity 2843310201123418405 of the pool's 2843310201123418405 at tick -267900; idle 0 / 155.77", "2.3218 / 2.3218",
            "1.8047–2.2130 (ticks -270420, -268380) → 0.69937–7.6622 (ticks -279900, -255960, after a swap)", "3000 pips (the pool's tier)", "0 / 410,300", "0.00%", "-88,357 / ±0",
            "price 0x2b96…69b5 fresh 1 s / 3600 s; volatility 0x5323…8b9b fresh 1 s / 3600 s", "PLAN (urgent): benefit 2,436 vs gas 1.4976 (498209 gas)"],
        ["BASE/USDQ [old]", "ManagedPool", "2.0000 / 2.0000", "1.8000–2.2000", "3000 pips", "100,000 / 200,000", "49.99%", "— (not measured)",
            "price 0x7553…14F1 STALE 3717 s > 3600 s; volatility 0xE451…d73F STALE 3717 s > 3600 s",
            "hold: StaleOracle — the price feed 0x75537828f2ce51be7289709686A69CbFDbB714F1 was last updated 3717 s ago, past the heartbeat of 3600 s; the reporter must post a fresh price"],
    ];

    private static string Render(int width, string[][] rows)
    {
        using var writer = new StringWriter();
        FittedTable.Write(CliConsole.PlainAnsi(writer, width), Headers, rows);
        return writer.ToString();
    }

    [Theory]
    [InlineData(120, 16)]
    [InlineData(100, 16)]
    [InlineData(80, 16)]
    [InlineData(60, 24)]
    public void A_narrow_console_gets_each_pool_as_a_block_with_every_word_and_number_whole(int width, int linesAPool)
    {
        var wide = Render(CliConsole.DefaultTableWidth, Rows);
        Assert.Contains("┌", wide); // 250 columns: still the table
        AssertReadable(wide, Render(width, Rows), width, Headers, Rows.Length, linesAPool);
        foreach (var row in Rows) AssertReadable(Render(CliConsole.DefaultTableWidth, [row]), Render(width, [row]), width, Headers, 1, linesAPool);
    }

    [Fact]
    public void A_table_that_fits_stays_a_table_and_a_word_wider_than_the_line_is_cut_to_fit()
    {
        using var writer = new StringWriter();
        FittedTable.Write(CliConsole.PlainAnsi(writer, 80), ["hedged pool", "x(P) base", "band"], [["BASE/USDQ", "1,000", "±50"]]);
        Assert.Contains("│ BASE/USDQ   │ 1,000     │ ±50  │", writer.ToString());
        Assert.Equal(["0123456789", "0123456789", "01 a b"], FittedTable.Wrap("0123456789012345678901 a b", 10, 10, s => s.Length));
        Assert.Equal(["", "longer-than-4", "words"], FittedTable.Wrap("longer-than-4 words", 4, 16, s => s.Length));
    }

    /// <summary>
    /// The <paramref name="narrow"/> rendering of what <paramref name="wide"/> shows: no line past <paramref name="width"/>,
    /// every word and number of the wide table whole on some line (the table's borders and a name's colon aside), every
    /// header whole (not cut to "…"), and at most <paramref name="linesAPool"/> lines a pool (blank lines aside, and two
    /// for the lines around the table: "Block 21, next base fee …").
    /// </summary>
    internal static void AssertReadable(string wide, string narrow, int width, IReadOnlyList<string> headers, int pools, int linesAPool = 16)
    {
        var lines = narrow.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        foreach (var line in lines) Assert.True(line.Length <= width, $"a line is wider than {width} columns:\n{line}\n\n{narrow}");
        var shown = Words(narrow).ToHashSet(StringComparer.Ordinal);
        var missing = Words(wide).Where(w => !shown.Contains(w)).Distinct().ToArray();
        Assert.True(missing.Length == 0, $"at {width} columns, broken or missing: {string.Join("  ", missing)}\n{narrow}");
        foreach (var header in headers) Assert.True(lines.Any(l => l.Contains(header, StringComparison.Ordinal)), $"the header \"{header}\" is not whole at {width} columns:\n{narrow}");
        Assert.DoesNotMatch(@"\S…(\s|│|$)", narrow); // a word cut short ("(low–hig…"); an address's "0x7553…14F1" is whole
        Assert.True(lines.Count(l => l.Trim().Length > 0) <= linesAPool * pools + 2, $"more than {linesAPool} lines a pool at {width} columns:\n{narrow}");
    }

    private static IEnumerable<string> Words(string text) => text
        .Split([' ', '\n', '\r', '│', '┌', '┐', '└', '┘', '├', '┤', '┬', '┴', '┼'], StringSplitOptions.RemoveEmptyEntries)
        .Where(w => w.Trim('─').Length > 0)
        .Select(w => w.TrimEnd(':'));
}
