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
    public async Task Demo_deploys_sends_and_reads_the_state_back_then_stops_its_node()
    {
        var (exit, output, error) = await RunAsync("demo");
        Assert.True(exit == 0, error);
        Assert.Contains("count      = 42", output);
        Assert.Contains("lastCaller = 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", output);
        var pidText = output.Split("Node stopped (pid ")[1].Split(')')[0];
        var pid = int.Parse(pidText, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Throws<ArgumentException>(() => Process.GetProcessById(pid));
    }
}
