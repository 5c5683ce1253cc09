using System.Numerics;
using System.Text.Json;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.TestContracts;
using TreasuryManager.Testing;
using V3TickMath = TreasuryManager.Models.UniswapV3.TickMath;

namespace TreasuryManager.Cli.Tests;

/// <summary>
/// One configuration, both venues: the deployment's ManagedPool and the vault's Uniswap v3 position (its manager in
/// UniswapV3Manager, the pool listed with Venue UniswapV3). `status` shows both, each with its venue (the v3 position's
/// ticks and liquidity); `rebalance --dry-run` on the v3 pool prints its ticks and sends nothing; `rebalance --yes` and `keeper run` re-range it.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class UniswapV3StatusTests(LocalNodeFixture node) : NodeTest(node), IDisposable
{
    private const int CentreTick = -269_400;
    private const decimal V3Price = 1.9984423m;
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>
    /// A whole treasury (keeper = dev account 1) with a v3 position on [CentreTick ∓ 1,020] and another provider on ±3,000
    /// ticks; then a buyer takes the v3 price past the position's upper tick and its oracle follows, so the keeper has a
    /// re-range to plan. Returns the deployment and the configuration file naming both pools.
    /// </summary>
    private async Task<(TreasuryDeployer D, UniswapV3PositionDeployment V3, string Config)> DeployBothVenuesAsync()
    {
        var d = await TreasuryDeployer.DeployAsync(Eth, Node.RepositoryRoot, DevAccounts.Key);
        var answer = new BigInteger(V3Price * 100_000_000m);
        var oracle = await d.DeployOracleAsync("BASE / USDQ v3", answer);
        var v3 = await UniswapV3PositionDeployment.DeployAsync(d, new UniswapV3PositionSettings
        {
            Price = V3Price,
            MaxLossBps = 1000,
            Policy = d.Policy with { PriceFeed = oracle.PriceFeed, VolatilityFeed = oracle.VolatilityFeed },
        });
        await d.IncreaseTimeAsync(700);
        await oracle.Oracle.UpdateAsync(d.Reporter, answer, d.Settings.OracleVolatility);
        await v3.Manager.RebalanceAsync(d.Keeper, v3.Pool.Address, UniswapV3PositionDeployment.Centred(CentreTick, 1020));
        var callee = await UniswapV3Callee.DeployAsync(d.Owner, d.Artifact(UniswapV3Callee.ArtifactName));
        await v3.Quote.MintAsync(d.Owner, d.Trader.Address, d.QuoteUnits(1_000_000m));
        await d.Base.MintAsync(d.Owner, d.Trader.Address, d.BaseUnits(500_000m));
        await d.Base.ApproveAsync(d.Trader, callee.Address, TreasuryDeployer.MaxUint256);
        await v3.Quote.ApproveAsync(d.Trader, callee.Address, TreasuryDeployer.MaxUint256);
        await callee.MintAsync(d.Trader, v3.Pool.Address, CentreTick - 3000, CentreTick + 3000, (await v3.Manager.PositionOfAsync(v3.Pool.Address)).Liquidity);
        await callee.SwapAsync(d.Trader, v3.Pool.Address, zeroForOne: false, d.QuoteUnits(900_000m), V3TickMath.GetSqrtRatioAtTick(CentreTick + 1500), d.Trader.Address);
        var tick = (await v3.Pool.Slot0Async()).Tick;
        await d.IncreaseTimeAsync(700);
        await oracle.Oracle.UpdateAsync(d.Reporter, new BigInteger(Math.Round(Math.Pow(1.0001, (double)tick) * 1e12 * 1e8)), d.Settings.OracleVolatility);
        await d.Oracle.UpdateAsync(d.Reporter, d.Settings.OraclePrice, d.Settings.OracleVolatility);

        var config = _temp.File("appsettings.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["Rpc"] = new { Url = Node.Node.Endpoint.ToString(), ChainId = 31337 },
            ["Key"] = new { Keystore = "", MnemonicEnv = "TREASURY_MNEMONIC", DerivationPath = "m/44'/60'/0'/0/1" },
            ["Vault"] = d.Vault.Address.ToString(),
            ["UniswapV3Manager"] = v3.Manager.Address.ToString(),
            ["Journal"] = _temp.File("journal.db"),
            ["Gas"] = new { Confirmations = 1 }, // the node mines only on demand: final at the receipt
            ["Pools"] = new object[]
            {
                new { Address = d.Pool.Address.ToString(), Name = "BASE/USDQ" },
                new { Address = v3.Pool.Address.ToString(), Name = "BASE/USDQ v3", Venue = "UniswapV3" },
            },
        }));
        return (d, v3, config);
    }

    private static TestConsole Console(CancellationToken cancellation = default)
    {
        var console = new TestConsole { Cancellation = cancellation };
        console.Environment["TREASURY_MNEMONIC"] = DevAccounts.Mnemonic;
        return console;
    }

    [Fact]
    public async Task Status_shows_the_managed_pool_and_the_v3_position_each_with_its_venue()
    {
        var (d, v3, config) = await DeployBothVenuesAsync();
        var position = await v3.Manager.PositionOfAsync(v3.Pool.Address);

        var json = await Console().RunAsync("status", "--config", config, "--json");
        Assert.True(json.Exit == 0, json.Err);
        using var doc = JsonDocument.Parse(json.Out);
        var pools = doc.RootElement.GetProperty("pools").EnumerateArray().ToArray();
        Assert.Equal(2, pools.Length);
        var managed = pools.Single(p => p.GetProperty("pool").GetString() == d.Pool.Address.ToString());
        Assert.Equal("ManagedPool", managed.GetProperty("venue").GetString());
        Assert.False(managed.GetProperty("read").TryGetProperty("uniswap_v3", out _));
        var pool = pools.Single(p => p.GetProperty("pool").GetString() == v3.Pool.Address.ToString());
        Assert.Equal("UniswapV3", pool.GetProperty("venue").GetString());
        var read = pool.GetProperty("read");
        Assert.Equal(3000, read.GetProperty("fee_pips").GetInt32());
        var position3 = read.GetProperty("uniswap_v3");
        Assert.Equal((int)position.TickLower, position3.GetProperty("tick_lower").GetInt32());
        Assert.Equal((int)position.TickUpper, position3.GetProperty("tick_upper").GetInt32());
        Assert.Equal(position.Liquidity.ToString(), position3.GetProperty("liquidity").GetString());
        Assert.True(position3.GetProperty("pool_tick").GetInt32() > (int)position.TickUpper, "the price left the range upward");
        // the position is all quote now: its base share at the oracle is (close to) none, its quote the treasury's
        Assert.InRange(read.GetProperty("base_share_bps").GetInt32(), 0, 10);
        Assert.True(read.GetProperty("quote").GetDouble() > 300_000);
        Assert.Equal("price", pool.GetProperty("feeds").EnumerateArray().First().GetProperty("kind").GetString());
        Assert.Equal("plan", pool.GetProperty("decision").GetString());
        Assert.True(pool.GetProperty("uniswap_v3").GetProperty("tick_lower").GetInt32() % 60 == 0);

        var table = await Console().RunAsync("status", "--config", config);
        Assert.True(table.Exit == 0, table.Err);
        // cells wrap at the console's width: look for words, not whole cells
        Assert.Contains("ManagedPool", table.Out);
        Assert.Contains("Uniswap v3:", table.Out);
        Assert.Contains($"{position.TickLower},", table.Out);
        Assert.Contains($"{position.TickUpper})", table.Out);
        Assert.Contains("(the pool's", table.Out);
        Assert.Contains("PLAN", table.Out);

        // a 120- or 80-column terminal: both pools as blocks, no word, number or header broken
        foreach (var width in new[] { 120, 80 })
        {
            var console = Console();
            console.Environment["COLUMNS"] = width.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var narrow = await console.RunAsync("status", "--config", config);
            Assert.True(narrow.Exit == 0, narrow.Err);
            StatusTableWidthTests.AssertReadable(table.Out, narrow.Out, width, StatusTableWidthTests.Headers, pools: 2);
        }
    }

    [Fact]
    public async Task Rebalance_dry_run_on_the_v3_pool_prints_its_ticks_and_sends_nothing()
    {
        var (d, v3, config) = await DeployBothVenuesAsync();
        var before = await v3.Manager.PositionOfAsync(v3.Pool.Address);
        var nonce = await Eth.GetTransactionCountAsync(d.Keeper.Address);
        var block = await Eth.BlockNumberAsync();

        var dry = await Console().RunAsync("rebalance", "--config", config, "--pool", "BASE/USDQ v3", "--dry-run");
        Assert.True(dry.Exit == 0, dry.Out + dry.Err);
        Assert.Contains("Uniswap v3 position: ticks [", dry.Out);
        Assert.Contains("the pool's tier", dry.Out);
        Assert.Contains($"manager.rebalance on {v3.Manager.Address}", dry.Out);
        Assert.Contains("Dry run: nothing sent.", dry.Out);

        Assert.Equal(nonce, await Eth.GetTransactionCountAsync(d.Keeper.Address));
        Assert.Equal(block, await Eth.BlockNumberAsync());
        Assert.Equal(before, await v3.Manager.PositionOfAsync(v3.Pool.Address));
    }

    [Fact]
    public async Task Keeper_run_re_ranges_the_v3_position_in_its_cycle_beside_the_managed_pool()
    {
        var (_, v3, config) = await DeployBothVenuesAsync();
        var before = await v3.Manager.PositionOfAsync(v3.Pool.Address);
        using var stop = new CancellationTokenSource();
        var console = Console(stop.Token);
        var run = console.RunAsync("keeper", "run", "--config", config, "--Metrics:Port=0", "--Cycle:PollIntervalMilliseconds", "50",
            $"--Log:File={_temp.File("logs/keeper-.log")}");

        var after = before;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!run.IsCompleted && DateTime.UtcNow < deadline && after.TickLower == before.TickLower && after.TickUpper == before.TickUpper)
        {
            await Node.Rpc.CallAsync("evm_mine");
            await Task.Delay(200);
            after = await v3.Manager.PositionOfAsync(v3.Pool.Address);
        }
        // the executor settles the mined rebalance (one confirmation) and logs it: a few more blocks
        for (var i = 0; i < 5; i++)
        {
            await Node.Rpc.CallAsync("evm_mine");
            await Task.Delay(200);
        }
        await stop.CancelAsync();
        var (exit, output, error) = await run;

        Assert.True(exit == 0, $"exit {exit}: {error}");
        Assert.NotEqual((before.TickLower, before.TickUpper), (after.TickLower, after.TickUpper));
        Assert.True(after.Liquidity > 0);
        Assert.Equal(0, (int)after.TickLower % 60);
        Assert.Matches("Rebalanced \"?BASE/USDQ v3", output);
    }

    [Fact]
    public async Task A_rehearsal_on_a_fork_re_ranges_the_v3_position_there_and_leaves_the_real_chain_alone()
    {
        var (d, v3, config) = await DeployBothVenuesAsync();
        var position = await v3.Manager.PositionOfAsync(v3.Pool.Address);
        var slot0 = await v3.Pool.Slot0Async();
        var nonce = await Eth.GetTransactionCountAsync(d.Keeper.Address);
        var block = await Eth.BlockNumberAsync();

        var json = await Console().RunAsync("rebalance", "--config", config, "--pool", "BASE/USDQ v3", "--fork", "--json");
        Assert.True(json.Exit == 0, json.Err + json.Out);
        using var doc = JsonDocument.Parse(json.Out);
        var rehearsal = doc.RootElement.GetProperty("rehearsal");
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("sent").ValueKind); // --json offers nothing without the flag
        Assert.Equal(block, rehearsal.GetProperty("fork_block").GetInt64());
        Assert.Equal("plan", rehearsal.GetProperty("decision").GetString());
        Assert.Equal("mined", rehearsal.GetProperty("outcome").GetString());
        Assert.True(rehearsal.GetProperty("gas_used").GetInt64() > 200_000, "a v3 re-range: burn, collect, mint");

        // the real chain: the same block, position, pool and keeper nonce
        Assert.Equal(block, await Eth.BlockNumberAsync());
        Assert.Equal(position, await v3.Manager.PositionOfAsync(v3.Pool.Address));
        Assert.Equal(slot0, await v3.Pool.Slot0Async());
        Assert.Equal(nonce, await Eth.GetTransactionCountAsync(d.Keeper.Address));
    }

    [Fact]
    public async Task Rebalance_yes_on_the_v3_pool_sends_the_managers_rebalance_and_waits_for_it()
    {
        var (_, v3, config) = await DeployBothVenuesAsync();
        var before = await v3.Manager.PositionOfAsync(v3.Pool.Address);

        var sent = await Console().RunAsync("rebalance", "--config", config, "--pool", "BASE/USDQ v3", "--yes", "--json");
        Assert.True(sent.Exit == 0, sent.Out + sent.Err);
        using var doc = JsonDocument.Parse(sent.Out);
        Assert.Equal("mined", doc.RootElement.GetProperty("outcome").GetString());
        Assert.Equal(v3.Pool.Address.ToString(), doc.RootElement.GetProperty("pool").GetString());
        var after = await v3.Manager.PositionOfAsync(v3.Pool.Address);
        Assert.NotEqual((before.TickLower, before.TickUpper), (after.TickLower, after.TickUpper));
        Assert.True(after.Liquidity > 0);
    }
}
