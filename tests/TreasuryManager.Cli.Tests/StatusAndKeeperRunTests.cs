using System.Text.Json;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Testing;

namespace TreasuryManager.Cli.Tests;

/// <summary>
/// On a treasury just deployed with `deploy --local`: `status` shows what it read (price, range, fee, reserves, base
/// share) while the keeper holds for the TWAP window, in fixed decimals; `keeper run` writes its lines through the
/// command line's console and to the rolling log file, which rolls at the configured size.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class StatusAndKeeperRunTests(LocalNodeFixture node) : NodeTest(node), IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<string> DeployAsync()
    {
        var config = _temp.File("appsettings.json");
        Assert.Equal(0, (await new TestConsole().RunAsync("init", "--out", config)).Exit);
        var deploy = await new TestConsole().RunAsync("deploy", "--local", "--config", config, "--rpc", Node.Node.Endpoint.ToString(), "--dev-mnemonic");
        Assert.True(deploy.Exit == 0, deploy.Err);
        return config;
    }

    [Fact]
    public async Task Status_on_a_fresh_deployment_shows_price_range_fee_reserves_and_share_next_to_the_hold()
    {
        var config = await DeployAsync();
        var settings = SettingsLoader.Load(config);
        var state = await new ManagedPool(Eth, Ethereum.Address.Parse(settings.Pools[0].Address!)).GetStateAsync();

        var json = await new TestConsole().RunAsync("status", "--config", config, "--json");
        Assert.True(json.Exit == 0, json.Err);
        using var doc = JsonDocument.Parse(json.Out);
        var pool = doc.RootElement.GetProperty("pools").EnumerateArray().Single();
        Assert.Equal("hold", pool.GetProperty("decision").GetString());
        var read = pool.GetProperty("read");
        var price = read.GetProperty("pool_price").GetDouble();
        var low = read.GetProperty("price_low").GetDouble();
        var high = read.GetProperty("price_high").GetDouble();
        Assert.True(low < price && price < high, $"{low} < {price} < {high}");
        Assert.Equal((int)state.FeePips, read.GetProperty("fee_pips").GetInt32());
        Assert.True(read.GetProperty("base").GetDouble() > 0);
        Assert.True(read.GetProperty("quote").GetDouble() > 0);
        Assert.InRange(read.GetProperty("base_share_bps").GetInt32(), 1, 9_999);
        Assert.False(read.TryGetProperty("missing", out _));
        Assert.DoesNotContain(@"\u00", json.Out, StringComparison.Ordinal); // text as written: an apostrophe is ', not \u0027

        var table = await new TestConsole().RunAsync("status", "--config", config);
        Assert.True(table.Exit == 0, table.Err);
        Assert.Contains("hold:", table.Out);
        Assert.Contains($"{(int)state.FeePips} pips", table.Out);
        Assert.Contains("–", table.Out); // the range, low–high
        Assert.Contains("%", table.Out);
        Assert.DoesNotContain("?", table.Out);
        Assert.DoesNotMatch(@"\dE[-+]?\d", table.Out); // no exponent notation
    }

    [Fact]
    public async Task Status_at_120_100_and_80_columns_keeps_every_word_number_and_header_whole_and_json_does_not_change()
    {
        var config = await DeployAsync();
        async Task<string> StatusAsync(string? columns, params string[] more)
        {
            var console = new TestConsole();
            if (columns is not null) console.Environment["COLUMNS"] = columns;
            var (exit, output, error) = await console.RunAsync(["status", "--config", config, .. more]);
            Assert.True(exit == 0, error);
            return output;
        }
        var wide = await StatusAsync(null);
        Assert.Contains("┌", wide); // 250 columns: the table
        var json = await StatusAsync(null, "--json");
        foreach (var width in new[] { 120, 100, 80 })
        {
            var narrow = await StatusAsync(width.ToString(System.Globalization.CultureInfo.InvariantCulture));
            StatusTableWidthTests.AssertReadable(wide, narrow, width, StatusTableWidthTests.Headers, pools: 1);
            Assert.Equal(json, await StatusAsync(width.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json"));
        }
    }

    [Fact]
    public async Task Keeper_run_logs_to_the_cli_console_and_a_rolling_file_that_rolls_at_its_size_limit()
    {
        var config = await DeployAsync();
        var logs = Path.Combine(_temp.Path, "logs");
        using var stop = new CancellationTokenSource();
        var console = new TestConsole { Cancellation = stop.Token };
        console.Environment["TREASURY_MNEMONIC"] = DevAccounts.Mnemonic;
        var run = console.RunAsync("keeper", "run", "--config", config, "--Metrics:Port=0", "--Cycle:PollIntervalMilliseconds", "50",
            "--Log:FileSizeLimitBytes=1000", $"--Log:File={Path.Combine(logs, "keeper-.log")}");

        // new blocks, one cycle (and one log line) each, until the file has rolled
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!run.IsCompleted && DateTime.UtcNow < deadline && (!Directory.Exists(logs) || Directory.GetFiles(logs).Length < 2))
        {
            await Node.Rpc.CallAsync("evm_mine");
            await Task.Delay(150);
        }
        await stop.CancelAsync();
        var (exit, output, error) = await run;

        Assert.True(exit == 0, $"exit {exit}: {error}");
        Assert.Contains("Keeper started", output);   // through the CLI's console, not the process's
        Assert.DoesNotContain("Content root path", output); // the .NET host's start-up lines are not the keeper's
        Assert.DoesNotContain("Hosting environment", output);
        Assert.Contains("Cycle at block", output);
        Assert.Matches(@"Cycle at block \d+: \d+ plan\(s\), 1 hold\(s\) \(BASE/USDQ: [A-Za-z]+\), ", output); // each hold says why
        var files = Directory.GetFiles(logs).Order(StringComparer.Ordinal).ToArray();
        Assert.True(files.Length >= 2, $"the log rolled at 1000 bytes: {string.Join(", ", files)}");
        // the file as it is really named (the date inserted: keeper-.log itself never exists), the first one written
        var named = System.Text.RegularExpressions.Regex.Match(error, @"log file: (\S+) \(Log:File ").Groups[1].Value;
        Assert.Equal(files[0], named);
        Assert.Equal(files[1], Path.Combine(logs, Path.GetFileNameWithoutExtension(files[0]) + "_001.log"));
        var text = string.Concat(files.Select(f => ReadShared(f)));
        Assert.Contains("Keeper started", text);
        Assert.Contains("Cycle at block", text);
        Assert.All(files.SkipLast(1), f => Assert.InRange(new FileInfo(f).Length, 1, 1000 + 400)); // rolled past the limit, one event at most over
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
