using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Ethereum;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Cycle;
using TreasuryManager.Keeper.Execution;
using TreasuryManager.Testing;
using TreasuryManager.Strategy.Settings;
using TreasuryManager.Strategy.Decisions;
using TreasuryManager.TestContracts;
using TreasuryManager.Models.Curve;

namespace TreasuryManager.Keeper.Tests;

/// <summary>
/// One vault, three pools on two quote tokens and two price feeds (issue 7, item 4b): A = BASE/WETH (18 decimals) on
/// feed F1 (the deployment's oracle), B = BASE/USDC (6 decimals) and C = BASE/USDC on feed F2 (a second oracle, shared
/// by B and C). A feed that is stale, deviant or unreadable holds exactly the pools whose policy names it; the others
/// rebalance in the same cycle, and nothing is sent for the held ones.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class FeedIsolationTests(LocalNodeFixture node) : TreasuryKeeperTest(node)
{
    /// <summary>F1: BASE at 0.001 WETH (8 decimals); F2: BASE at 3 USDC; ETH = 3000 USDC.</summary>
    private static readonly BigInteger F1Price = 100_000;
    private static readonly BigInteger F2Price = 300_000_000;
    private static readonly BigInteger Volatility = 65_000_000;

    protected override TreasuryDeploymentSettings Deployment => new()
    {
        QuoteDecimals = 18,
        QuoteSymbol = "WETH",
        Price = 0.001m,
        PriceLow = 0.0009m,
        PriceHigh = 0.0011m,
        DepositBase = 100_000m,
        DepositQuote = 100m,
        TraderBase = 200_000m,
        TraderQuote = 200m,
        OraclePrice = F1Price,
        OracleVolatility = Volatility,
    };

    private MintableERC20 Usdc { get; set; } = null!;
    private DeployedOracle F2 { get; set; } = null!;
    private ManagedPool A => D.Pools[0];
    private ManagedPool B => D.Pools[1];
    private ManagedPool C => D.Pools[2];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Usdc = await D.DeployQuoteTokenAsync("USD Coin", "USDC", 6);
        F2 = await D.DeployOracleAsync("BASE / USDC", F2Price, Volatility);
        await D.AddPoolAsync(new PoolDeploymentSettings
        {
            Quote = Usdc, Price = 3m, PriceLow = 2.7m, PriceHigh = 3.3m, DepositBase = 100_000m, DepositQuote = 300_000m,
            TraderQuote = 1_000_000m, PriceFeed = F2.PriceFeed, VolatilityFeed = F2.VolatilityFeed,
        });
        await D.AddPoolAsync(new PoolDeploymentSettings
        {
            Quote = Usdc, Price = 3m, PriceLow = 2.4m, PriceHigh = 3.6m, DepositBase = 50_000m, DepositQuote = 150_000m,
            PriceFeed = F2.PriceFeed, VolatilityFeed = F2.VolatilityFeed,
        });
        // the new pools' observations must cover the 600 s TWAP window too; F1 and F2 stay within their 3600 s heartbeat
        await D.IncreaseTimeAsync(700);
        await D.Oracle.UpdateAsync(D.Reporter, F1Price, Volatility);
        await F2.Oracle.UpdateAsync(D.Reporter, F2Price, Volatility);
    }

    /// <summary>Each pool's ETH price in its own quote (1 WETH, 3000 USDC) and γ per its quote (γ_USD × 3000 for WETH).</summary>
    private TreasurySettings ThreePools() => Settings(s => s with
    {
        Pools =
        [
            new PoolSettings { Address = A.Address.ToString(), Name = "A BASE/WETH", EthPriceInQuote = 1m, RiskAversion = s.Strategy.RiskAversion * 3000 },
            new PoolSettings { Address = B.Address.ToString(), Name = "B BASE/USDC", EthPriceInQuote = 3000m },
            new PoolSettings { Address = C.Address.ToString(), Name = "C BASE/USDC", EthPriceInQuote = 3000m },
        ],
    });

    /// <summary>The trader sells base into every pool (30% of its base; 30% of C's smaller one): each is out of its band.</summary>
    private async Task PushAllAsync()
    {
        await D.SwapAsync(zeroForOne: true, D.BaseUnits(30_000m), pool: A);
        await D.SwapAsync(zeroForOne: true, D.BaseUnits(30_000m), pool: B);
        await D.SwapAsync(zeroForOne: true, D.BaseUnits(15_000m), pool: C);
    }

    private static Decision Of(CycleReport report, ManagedPool pool) => Assert.Single(report.Decisions, d => d.Pool == pool.Address);

    private async Task<int> RepositionedCountAsync(ManagedPool pool, long fromBlock) =>
        (await Eth.GetLogsAsync(pool.Address, fromBlock, await Eth.BlockNumberAsync(), [ManagedPool.Abi.GetEvent("Repositioned").Topic0])).Count;

    private static void AssertMined(CycleReport report, params ManagedPool[] pools)
    {
        Assert.Equal(pools.Select(p => p.Address.ToLowerHex()).Order(), report.Plans.Select(p => p.Pool.ToLowerHex()).Order());
        Assert.Equal(pools.Length, report.Outcomes.Count);
        Assert.All(report.Outcomes, o => Assert.True(Assert.IsType<ExecutionOutcome.Mined>(o).Receipt!.Succeeded));
    }

    [Fact]
    public async Task The_vault_holds_weth_and_usdc_pools_and_B_and_C_share_one_feed_object()
    {
        Assert.Equal(3, D.Pools.Count);
        Assert.Equal(D.Pools.Select(p => p.Address), await D.Vault.PoolsAsync());
        Assert.Equal(D.Quote.Address, await A.Token1Async());
        Assert.Equal(18, (int)await D.Quote.DecimalsAsync());
        Assert.Equal(Usdc.Address, await B.Token1Async());
        Assert.Equal(Usdc.Address, await C.Token1Async());
        Assert.Equal(6, (int)await Usdc.DecimalsAsync());
        Assert.Same(Usdc, D.QuoteOf(C));
        Assert.Equal(D.PriceFeed, (await D.Vault.PolicyOfAsync(A.Address)).Params.PriceFeed);
        Assert.Equal(F2.PriceFeed, (await D.Vault.PolicyOfAsync(B.Address)).Params.PriceFeed);
        Assert.Equal(F2.PriceFeed, (await D.Vault.PolicyOfAsync(C.Address)).Params.PriceFeed);
        Assert.Equal(D.QuoteUnits(300_000m, B), (await B.GetStateAsync()).Reserve1);
        Assert.Equal(300_000_000_000m, (decimal)(await B.GetStateAsync()).Reserve1);
        Assert.Equal(D.QuoteUnits(100m), (await A.GetStateAsync()).Reserve1);
        // the pools' prices are in their own quote's units: 0.001 WETH and 3 USDC per base
        Assert.Equal(SqrtPriceGrid.RoundDown(TreasuryDeployer.SqrtPriceX96(3m, 18, 6)), (await B.GetStateAsync()).SqrtPriceX96);
        Assert.Equal(SqrtPriceGrid.RoundDown(TreasuryDeployer.SqrtPriceX96(0.001m, 18, 18)), (await A.GetStateAsync()).SqrtPriceX96);

        using var runtime = await StartAsync(ThreePools());
        var report = (await runtime.Cycle.RunOnceAsync(act: false))!;
        // the observer read each pool's decimals and each feed once: every view is in human units of its own quote
        Assert.Equal(18, runtime.Cycle.Observer.Pools[0].QuoteDecimals);
        Assert.Equal(6, runtime.Cycle.Observer.Pools[1].QuoteDecimals);
        Assert.Equal(0.001, Of(report, A).Inventory!.OraclePrice, 9);
        Assert.Equal(3.0, Of(report, B).Inventory!.OraclePrice, 9);
        Assert.Equal(300_000, Of(report, B).Inventory!.Quote, 3);
        Assert.Equal(100, Of(report, A).Inventory!.Quote, 6);
        Assert.All(report.Decisions, d => Assert.Equal(HoldReason.InsideBand, Assert.IsType<Hold>(d).Reason));
    }

    [Fact]
    public async Task A_stale_F2_holds_B_and_C_only_then_they_rebalance_once_F2_is_fresh()
    {
        // past both heartbeats; only F1 is refreshed
        await D.IncreaseTimeAsync(3700);
        await D.Oracle.UpdateAsync(D.Reporter, F1Price, Volatility);
        await PushAllAsync();
        var statesBefore = new[] { await B.GetStateAsync(), await C.GetStateAsync() };
        var nonceBefore = await Eth.GetTransactionCountAsync(KeeperKey.Address);
        var firstBlock = await Eth.BlockNumberAsync() + 1;

        using var runtime = await StartAsync(ThreePools());
        var stale = (await runtime.Cycle.RunOnceAsync(act: true))!;

        foreach (var pool in new[] { B, C })
        {
            var hold = Assert.IsType<Hold>(Of(stale, pool));
            Assert.Equal(HoldReason.StaleOracle, hold.Reason);
            Assert.Contains(F2.PriceFeed.ToString(), hold.Detail);
            Assert.Contains("heartbeat of 3600 s", hold.Detail);
        }
        AssertMined(stale, A);
        Assert.Equal(1, await RepositionedCountAsync(A, firstBlock));
        Assert.Equal(0, await RepositionedCountAsync(B, firstBlock));
        Assert.Equal(0, await RepositionedCountAsync(C, firstBlock));
        // one transaction, A's: nothing signed or sent for B and C, whose curves are as the swaps left them
        Assert.Equal(nonceBefore + 1, await Eth.GetTransactionCountAsync(KeeperKey.Address));
        Assert.Equal(statesBefore[0], await B.GetStateAsync());
        Assert.Equal(statesBefore[1], await C.GetStateAsync());

        await F2.Oracle.UpdateAsync(D.Reporter, F2Price, Volatility);
        var fresh = (await runtime.Cycle.RunOnceAsync(act: true))!;
        AssertMined(fresh, B, C);
        Assert.NotEqual(HoldReason.StaleOracle, Assert.IsType<Hold>(Of(fresh, A)).Reason);
        Assert.Equal(1, await RepositionedCountAsync(B, firstBlock));
        Assert.Equal(1, await RepositionedCountAsync(C, firstBlock));
        Assert.Equal(1, await RepositionedCountAsync(A, firstBlock));
        Assert.Equal(SqrtPriceGrid.RoundDown(fresh.Plans.Single(p => p.Pool == B.Address).Target.SqrtPriceX96), (await B.GetStateAsync()).SqrtPriceX96);
    }

    [Fact]
    public async Task A_deviant_F1_holds_A_only_and_B_and_C_rebalance()
    {
        await PushAllAsync();
        // F1 posts BASE 5% dearer than A's TWAP (the policy allows 2%)
        await D.Oracle.UpdateAsync(D.Reporter, F1Price * 105 / 100, Volatility);
        var stateA = await A.GetStateAsync();
        var firstBlock = await Eth.BlockNumberAsync() + 1;

        using var runtime = await StartAsync(ThreePools());
        var report = (await runtime.Cycle.RunOnceAsync(act: true))!;

        Assert.Equal(HoldReason.TwapDeviates, Assert.IsType<Hold>(Of(report, A)).Reason);
        AssertMined(report, B, C);
        Assert.Equal(0, await RepositionedCountAsync(A, firstBlock));
        Assert.Equal(1, await RepositionedCountAsync(B, firstBlock));
        Assert.Equal(1, await RepositionedCountAsync(C, firstBlock));
        Assert.Equal(stateA, await A.GetStateAsync());
        // the vault agrees: A's rebalance would revert with TwapDeviation, so holding it costs nothing
        Assert.False(await D.Vault.PausedAsync());
    }

    [Fact]
    public async Task A_feed_that_reverts_on_read_holds_only_its_pools_and_the_cycle_completes()
    {
        var mock = await MockAggregator.DeployAsync(D.Owner, D.Artifact(MockAggregator.ArtifactName), 8, "BASE / USDC (mock)", F2Price);
        await D.Vault.SetFeedsAsync(D.Owner, B.Address, mock.Address, F2.VolatilityFeed);
        await D.Vault.SetFeedsAsync(D.Owner, C.Address, mock.Address, F2.VolatilityFeed);
        await PushAllAsync();
        await mock.SetRevertingAsync(D.Owner, true);
        var nonceBefore = await Eth.GetTransactionCountAsync(KeeperKey.Address);
        var firstBlock = await Eth.BlockNumberAsync() + 1;

        using var runtime = await StartAsync(ThreePools());
        var report = (await runtime.Cycle.RunOnceAsync(act: true))!;

        foreach (var pool in new[] { B, C })
        {
            var hold = Assert.IsType<Hold>(Of(report, pool));
            Assert.Equal(HoldReason.ObserveFailed, hold.Reason);
            Assert.Contains(mock.Address.ToString(), hold.Detail);
            Assert.DoesNotContain('\n', hold.Detail);
        }
        AssertMined(report, A);
        Assert.Equal(nonceBefore + 1, await Eth.GetTransactionCountAsync(KeeperKey.Address));
        Assert.Equal(0, await RepositionedCountAsync(B, firstBlock));
        Assert.Equal(0, await RepositionedCountAsync(C, firstBlock));

        // the feed answers again: its pools rebalance on the next cycle, with no restart
        await mock.SetRevertingAsync(D.Owner, false);
        await mock.SetAnswerAsync(D.Owner, F2Price);
        var recovered = (await runtime.Cycle.RunOnceAsync(act: true))!;
        AssertMined(recovered, B, C);
    }

    [Fact]
    public async Task A_volatility_feed_without_code_holds_only_its_pool_and_the_keeper_still_starts()
    {
        // the vault checks the price feed's decimals() but takes any volatility feed: an owner's typo is possible
        var noCode = Address.Parse("0x00000000000000000000000000000000000f00d5");
        await D.Vault.SetFeedsAsync(D.Owner, C.Address, F2.PriceFeed, noCode);
        await PushAllAsync();

        using var runtime = await StartAsync(ThreePools());
        var report = (await runtime.Cycle.RunOnceAsync(act: true))!;

        var hold = Assert.IsType<Hold>(Of(report, C));
        Assert.Equal(HoldReason.ObserveFailed, hold.Reason);
        Assert.Contains(noCode.ToString(), hold.Detail);
        AssertMined(report, A, B);
        // gas is priced in each pool's quote at the same gas price: per gas unit, B's (USDC) cost is 3000× A's (WETH)
        var planA = report.Plans.Single(p => p.Pool == A.Address);
        var planB = report.Plans.Single(p => p.Pool == B.Address);
        Assert.Equal(3000, planB.GasCost / planB.GasUnits / (planA.GasCost / planA.GasUnits), 6);
    }

    [Fact]
    public async Task Pools_on_different_quotes_without_their_own_eth_price_are_refused_naming_the_pool()
    {
        var settings = ThreePools();
        settings = settings with { Pools = [settings.Pools[0], settings.Pools[1] with { EthPriceInQuote = null }, settings.Pools[2]] };
        var error = await Assert.ThrowsAsync<SettingsException>(() => StartAsync(settings));
        Assert.Equal("Pools:1:EthPriceInQuote", error.Path);
        Assert.Contains("B BASE/USDC", error.Message);
        Assert.Contains(Usdc.Address.ToString(), error.Message);

        // the same quote everywhere: the single Gas:EthPriceInQuote is enough
        var usdcOnly = Settings(s => s with
        {
            Pools = [new PoolSettings { Address = B.Address.ToString() }, new PoolSettings { Address = C.Address.ToString() }],
        });
        using var runtime = await StartAsync(usdcOnly);
        Assert.Equal(2, runtime.Cycle.Observer.Pools.Count);
    }

    [Fact]
    public async Task The_deployer_refuses_bad_pool_inputs_before_sending_anything()
    {
        var nonce = await Eth.GetTransactionCountAsync(D.Owner.Address);
        var noPrice = await Assert.ThrowsAsync<ArgumentException>(() => D.AddPoolAsync(new PoolDeploymentSettings { Quote = Usdc }));
        Assert.Contains("needs its own Price, PriceLow and PriceHigh", noPrice.Message);
        var badRange = await Assert.ThrowsAsync<ArgumentException>(() => D.AddPoolAsync(new PoolDeploymentSettings { Quote = Usdc, Price = 3m, PriceLow = 3.1m, PriceHigh = 3.3m }));
        Assert.Contains("0 < PriceLow < Price < PriceHigh", badRange.Message);
        var both = await Assert.ThrowsAsync<ArgumentException>(() => D.AddPoolAsync(new PoolDeploymentSettings { Policy = D.Policy, PriceFeed = F2.PriceFeed }));
        Assert.Contains("not both", both.Message);
        var zero = await Assert.ThrowsAsync<ArgumentException>(() => D.AddPoolAsync(new PoolDeploymentSettings { PriceFeed = Address.Zero }));
        Assert.Contains("zero address", zero.Message);
        var decimals = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => D.DeployQuoteTokenAsync("Tiny", "TINY", 2));
        Assert.Contains("6 to 18 decimals", decimals.Message);
        Assert.Equal(nonce, await Eth.GetTransactionCountAsync(D.Owner.Address));
    }
}
