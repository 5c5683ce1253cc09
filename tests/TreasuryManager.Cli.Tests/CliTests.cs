using System.Diagnostics;
using System.Text.Json;
using TreasuryManager.Cli;

namespace TreasuryManager.Cli.Tests;

public sealed class CliTests
{
    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await TreasuryCli.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Reproduce_json_prints_one_object_with_a_row_per_gamma_and_strategy()
    {
        var (exit, output, error) = await RunAsync("reproduce", "avellaneda-stoikov", "--paths", "200", "--seed", "7", "--json");
        Assert.Equal(0, exit);
        Assert.Equal("", error);
        using var json = JsonDocument.Parse(output);
        var rows = json.RootElement.GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal(6, rows.Length);
        Assert.Equal(
            new[] { "0.1/inventory", "0.1/symmetric", "0.01/inventory", "0.01/symmetric", "1/inventory", "1/symmetric" }.Order(),
            rows.Select(r => $"{r.GetProperty("gamma").GetDouble()}/{r.GetProperty("strategy").GetString()}").Order());
        foreach (var row in rows)
            foreach (var key in new[] { "spread", "profit_mean", "profit_std", "q_mean", "q_std" })
                Assert.True(double.IsFinite(row.GetProperty(key).GetDouble()), key);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("abc")]
    public async Task Bad_paths_give_one_error_line_and_exit_code_2(string paths)
    {
        var (exit, output, error) = await RunAsync("reproduce", "avellaneda-stoikov", "--paths", paths);
        Assert.Equal(TreasuryCli.BadInput, exit);
        Assert.Equal("", output);
        Assert.StartsWith("error: ", error);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    [Trait("Category", "Node")]
    public async Task Demo_runs_the_market_and_the_keeper_on_chain_prints_the_summary_writes_the_report_and_stops_its_node()
    {
        var dir = Path.Combine(Path.GetTempPath(), "tm-demo-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (exit, output, error) = await RunAsync("demo", "--scenario", "trending", "--steps", "24", "--out", dir);
            Assert.True(exit == 0, error);
            Assert.Contains("on chain (real keeper)", output);
            foreach (var name in new[] { "hold", "full-range", "static-range", "passive" }) Assert.Contains(name, output);
            Assert.Contains("step 24/24", output);
            var report = File.ReadAllText(Path.Combine(dir, "report.md"));
            Assert.Contains("| managed | on chain (real keeper) |", report);
            Assert.Contains("Keeper decisions on chain:", report);
            foreach (var chart in TreasuryManager.Reports.BacktestCharts.FileNames)
            {
                Assert.Contains($"({chart})", report);
                Assert.True(new FileInfo(Path.Combine(dir, chart)).Length > 10_000, chart);
            }
            var pidText = output.Split("Node stopped (pid ")[1].Split(')')[0];
            var pid = int.Parse(pidText, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Throws<ArgumentException>(() => Process.GetProcessById(pid));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    [Trait("Category", "Node")]
    public async Task Demo_on_a_uniswap_v3_pool_runs_the_keeper_against_the_real_pool_and_says_so()
    {
        var dir = Path.Combine(Path.GetTempPath(), "tm-demo-v3-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (exit, output, error) = await RunAsync("demo", "--scenario", "trending", "--steps", "12", "--out", dir, "--uniswap-v3");
            Assert.True(exit == 0, error);
            Assert.Contains("Uniswap v3 pool 0x", output);
            Assert.Contains("UniswapV3PositionManager 0x", output);
            Assert.Contains("step 12/12", output);
            var report = File.ReadAllText(Path.Combine(dir, "report.md"));
            Assert.Contains("| managed | on chain, Uniswap v3 pool (real keeper) |", report);
            Assert.Contains("--uniswap-v3", report);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Demo_with_an_unknown_scenario_says_so_in_one_line_and_starts_no_node()
    {
        var (exit, output, error) = await RunAsync("demo", "--scenario", "no-such-scenario");
        Assert.Equal(TreasuryCli.BadInput, exit);
        Assert.DoesNotContain("Starting", output);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains("no-such-scenario", error);
    }
}
