using System.Text.Json;

namespace TreasuryManager.Cli.Tests;

public sealed class BacktestCommandTests
{
    private const string ShortScenario = """
        { "name": "short", "description": "one day of calm", "steps": 288, "price": { "volatility_per_day": 0.02 } }
        """;

    [Fact]
    public async Task Json_prints_exactly_one_object_with_every_strategy()
    {
        // trending: the pool's base moves off its start past the hedger's band, so the hedged strategies trade (in calm a
        // range at the policy's widest stays inside the band on these paths: no hedge trade at all)
        var (exit, output, error) = await new TestConsole().RunAsync("backtest", "--scenario", "trending", "--paths", "2", "--seed", "3", "--json");
        Assert.Equal(0, exit);
        Assert.Equal("", error);
        using var json = JsonDocument.Parse(output); // throws on anything after the object
        var root = json.RootElement;
        Assert.Equal("trending", root.GetProperty("scenario").GetString());
        Assert.Equal(2, root.GetProperty("paths").GetInt32());
        var strategies = root.GetProperty("strategies").EnumerateArray().ToArray();
        Assert.Equal(new[] { "hold", "full-range", "static-range", "passive", "managed", "hedged", "defended" }, strategies.Select(s => s.GetProperty("name").GetString()));
        foreach (var s in strategies)
            foreach (var key in new[] { "pnl_vs_hold_mean", "pnl_vs_hold_std", "sharpe", "fees", "lvr", "gas_spent", "rebalances", "max_drawdown" })
                Assert.True(double.IsFinite(s.GetProperty(key).GetDouble()), key);
        Assert.Equal(0.0, strategies[0].GetProperty("pnl_vs_hold_mean").GetDouble());
        // managed (unhedged) is deployed at the policy's widest range, a full range: until it rebalances it is the full-range position
        if (strategies[4].GetProperty("rebalances").GetDouble() == 0)
            Assert.Equal(strategies[1].GetProperty("pnl_vs_hold_mean").GetDouble(), strategies[4].GetProperty("pnl_vs_hold_mean").GetDouble());
        Assert.True(strategies[5].GetProperty("rebalances").GetDouble() > 0); // hedged re-ranges once its fees are seen
        // the hedged strategies carry their perp figures; the others have none
        Assert.False(strategies[4].TryGetProperty("hedge", out _));
        foreach (var hedged in strategies[5..])
        {
            var h = hedged.GetProperty("hedge");
            Assert.True(h.GetProperty("trades").GetDouble() > 0);
            Assert.True(h.GetProperty("perp_fees").GetDouble() > 0);
            // the hedge offsets the pool's deviation from its starting base, long or short: funding is paid or received
            Assert.True(double.IsFinite(h.GetProperty("funding_paid").GetDouble()) && h.GetProperty("funding_paid").GetDouble() != 0, "funding settled on the hedge");
        }

        var (_, again, _) = await new TestConsole().RunAsync("backtest", "--scenario", "trending", "--paths", "2", "--seed", "3", "--json");
        Assert.Equal(output, again);
    }

    [Fact]
    public async Task Out_writes_the_report_and_the_series_of_the_first_path()
    {
        using var dir = new TempFolder();
        var file = Path.Combine(dir.Path, "short.json");
        await File.WriteAllTextAsync(file, ShortScenario);
        var outDir = Path.Combine(dir.Path, "report");
        var (exit, output, error) = await new TestConsole().RunAsync("backtest", "--scenario", file, "--paths", "3", "--out", outDir);
        Assert.True(exit == 0, error);
        Assert.Contains("managed", output);
        var report = await File.ReadAllTextAsync(Path.Combine(outDir, "report.md"));
        Assert.Contains("| managed |", report);
        Assert.Contains("| passive |", report);
        Assert.Contains($"treasury backtest --scenario {file} --paths 3 --seed 1 --out {outDir}", report);
        var csv = await File.ReadAllLinesAsync(Path.Combine(outDir, "series.csv"));
        Assert.Equal(289 + 1, csv.Length); // header + steps 0..288
        Assert.StartsWith("step,days,reference,oracle,gas_gwei,hold_centre", csv[0]);
        Assert.Contains("managed_pnl_vs_hold", csv[0]);
    }

    [Theory]
    [InlineData("--scenario", "sunny", "'sunny'")]
    [InlineData("--paths", "0", "--paths")]
    [InlineData("--paths", "-3", "--paths")]
    [InlineData("--paths", "abc", "'abc' for option '--paths' as a whole number in range")] // not "System.Int32"
    [InlineData("--scenario", "missing-file.json", "missing-file.json")]
    public async Task Bad_input_gives_one_line_naming_it_and_exit_2(string option, string value, string named)
    {
        string[] args = option == "--paths" ? ["backtest", "--scenario", "calm", option, value] : ["backtest", option, value];
        var (exit, output, error) = await new TestConsole().RunAsync(args);
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains(named, error);
        Assert.DoesNotContain("System.", error);
    }

    [Theory]
    [InlineData("error: --format applies only with --prices FILE (a real price file); drop it, or give --prices", "--scenario", "calm", "--format", "binance")]
    [InlineData("error: --base-token applies only with --prices FILE (a real price file); drop it, or give --prices", "--scenario", "calm", "--base-token", "0")]
    [InlineData("error: --paths does not apply with --prices: a price file is one path (its bars or minutes, as they happened); drop --paths", "--prices", "px.csv", "--paths", "3")]
    public async Task An_option_that_does_not_apply_is_refused_not_ignored(string expected, params string[] args)
    {
        var (exit, output, error) = await new TestConsole().RunAsync(["backtest", .. args]);
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Equal(expected, error.TrimEnd());
    }

    [Fact]
    public async Task A_bad_field_in_a_scenario_file_is_named()
    {
        using var dir = new TempFolder();
        var file = Path.Combine(dir.Path, "bad.json");
        await File.WriteAllTextAsync(file, """{ "steps": 100, "noise": { "arrivals_per_dya": 5 } }""");
        var (exit, _, error) = await new TestConsole().RunAsync("backtest", "--scenario", file, "--json");
        Assert.Equal(2, exit);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains("at $.noise.arrivals_per_dya (line 1): 'arrivals_per_dya' is not a field there", error);

        await File.WriteAllTextAsync(file, """{ "steps": 100, "pool": { "fee_pips": 2000000 } }""");
        (exit, _, error) = await new TestConsole().RunAsync("backtest", "--scenario", file, "--json");
        Assert.Equal(2, exit);
        Assert.Contains("pool.fee_pips", error);

        // a value of the wrong kind says what it must be, in the file's own words: no .NET type names
        await File.WriteAllTextAsync(file, "{ \"steps\": 100,\n  \"price\": { \"volatility_per_day\": \"high\" } }");
        (exit, _, error) = await new TestConsole().RunAsync("backtest", "--scenario", file, "--json");
        Assert.Equal(2, exit);
        Assert.Contains("at $.price.volatility_per_day (line 2): the value is not a number", error);
        await File.WriteAllTextAsync(file, """{ "price": { "model": "brownian" } }""");
        (exit, _, error) = await new TestConsole().RunAsync("backtest", "--scenario", file, "--json");
        Assert.Contains("at $.price.model (line 1): the value is not one of gbm, jump_diffusion, regime_switching", error);
        Assert.DoesNotContain("System.", error);
        Assert.DoesNotContain("TreasuryManager.", error);
    }
}
