using System.Globalization;
using System.Text.Json;

namespace TreasuryManager.Cli.Tests;

public sealed class FairMarketCommandTests
{
    [Fact]
    public async Task Lvr_fees_json_prints_exactly_one_object_with_the_five_ratios_near_the_formula()
    {
        var (exit, output, error) = await new TestConsole().RunAsync("reproduce", "lvr-fees", "--blocks", "20000", "--seed", "2", "--json");
        Assert.Equal(0, exit);
        Assert.Equal("", error);
        using var json = JsonDocument.Parse(output); // throws on anything after the object
        var rows = json.RootElement.GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal(new[] { 0.25, 0.5, 1, 2, 4 }, rows.Select(r => r.GetProperty("gamma_over_sigma_b").GetDouble()));
        foreach (var r in rows)
        {
            Assert.Equal(3, r.EnumerateObject().Count());
            var x = r.GetProperty("gamma_over_sigma_b").GetDouble();
            Assert.Equal(1 / (1 + 0.8582 * x), r.GetProperty("formula_ratio").GetDouble(), 2);
            Assert.InRange(r.GetProperty("measured_ratio").GetDouble() / r.GetProperty("formula_ratio").GetDouble(), 0.85, 1.15);
        }
    }

    [Fact]
    public async Task Backtest_prices_runs_a_binance_file_with_the_scenario_json_shape_and_names_a_gap()
    {
        using var dir = new TempFolder();
        var file = Path.Combine(dir.Path, "TOKEN_USDT-1h.csv");
        var lines = new List<string> { "date,open,high,low,close,volume" };
        var t = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var k = 0; k < 27; k++)
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{t.AddHours(k):yyyy-MM-dd HH:mm:ss},{2.0 + 0.01 * k},{2.05 + 0.01 * k},{1.97 + 0.01 * k},{2.01 + 0.01 * k},1000"));
        await File.WriteAllLinesAsync(file, lines);
        var (exit, output, error) = await new TestConsole().RunAsync("backtest", "--prices", file, "--format", "binance", "--json");
        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(1, json.RootElement.GetProperty("paths").GetInt32());
        Assert.Equal("TOKEN_USDT-1h", json.RootElement.GetProperty("scenario").GetString());
        // the file's own prices: the variance ratio of its 27 hourly closes over a day (24 steps); too short for a week
        var reference = json.RootElement.GetProperty("reference");
        Assert.Equal(3600, reference.GetProperty("interval_seconds").GetDouble());
        Assert.Equal(27, reference.GetProperty("prices").GetInt32());
        var closes = Enumerable.Range(0, 27).Select(k => 2.01 + 0.01 * k).ToArray();
        Assert.Equal(Models.Estimators.VarianceRatio.Of(closes, 24), reference.GetProperty("variance_ratio_1d").GetDouble(), 12);
        Assert.InRange(reference.GetProperty("variance_ratio_1d").GetDouble(), 20, 24); // a steady rise: about the horizon
        Assert.Equal(JsonValueKind.Null, reference.GetProperty("variance_ratio_1w").ValueKind);
        Assert.Equal(JsonValueKind.Null, reference.GetProperty("variance_ratio_1w_first_half").ValueKind);
        Assert.Equal(JsonValueKind.Null, reference.GetProperty("variance_ratio_1w_second_half").ValueKind);
        var strategies = json.RootElement.GetProperty("strategies").EnumerateArray().ToArray();
        Assert.Equal(7, strategies.Length);
        foreach (var s in strategies)
        {
            var d = s.GetProperty("decomposition");
            Assert.Equal(s.GetProperty("pnl_vs_hold_mean").GetDouble(), d.GetProperty("total").GetDouble(), 3);
        }

        // the table and the --out report say the same of the file's prices
        var reportDir = Path.Combine(dir.Path, "report");
        var (tableExit, tableOut, tableError) = await new TestConsole().RunAsync("backtest", "--prices", file, "--strategies", "full-range", "--out", reportDir);
        Assert.True(tableExit == 0, tableError);
        var ratioDay = reference.GetProperty("variance_ratio_1d").GetDouble().ToString("0.00", CultureInfo.InvariantCulture);
        Assert.Contains($"the file's prices: variance ratio {ratioDay} over a day, n/a (the file is shorter) over a week", tableOut);
        Assert.Contains($"The file's prices: variance ratio {ratioDay} over a day, n/a (the file is shorter) over a week", await File.ReadAllTextAsync(Path.Combine(reportDir, "report.md")));

        // --strategies applies to a price file as to a scenario
        var (chosenExit, chosenOut, chosenError) = await new TestConsole().RunAsync("backtest", "--prices", file, "--strategies", "full-range,managed", "--json");
        Assert.True(chosenExit == 0, chosenError);
        using (var chosen = JsonDocument.Parse(chosenOut))
            Assert.Equal(["hold", "full-range", "managed"], chosen.RootElement.GetProperty("strategies").EnumerateArray().Select(e => e.GetProperty("name").GetString()!).ToArray());
        var (unknownExit, _, unknownError) = await new TestConsole().RunAsync("backtest", "--prices", file, "--strategies", "nonsense");
        Assert.Equal(TreasuryCli.BadInput, unknownExit);
        Assert.Contains("'nonsense' is not a strategy", unknownError);

        lines.RemoveAt(10); // 09:00 missing: the 10:00 bar, now on row 11, is the gap
        await File.WriteAllLinesAsync(file, lines);
        var (bad, badOut, badError) = await new TestConsole().RunAsync("backtest", "--prices", file, "--json");
        Assert.Equal(TreasuryCli.BadInput, bad);
        Assert.Equal("", badOut);
        Assert.Single(badError.TrimEnd().Split('\n'));
        Assert.Contains("row 11: gap: 2024-01-01 10:00:00 is 7200 s after 2024-01-01 08:00:00", badError);

        await File.WriteAllTextAsync(file, "price\n1\n");
        var (notFormat, _, formatError) = await new TestConsole().RunAsync("backtest", "--prices", file);
        Assert.Equal(TreasuryCli.BadInput, notFormat);
        Assert.Contains("row 1:", formatError);
        Assert.Single(formatError.TrimEnd().Split('\n'));
    }
}
