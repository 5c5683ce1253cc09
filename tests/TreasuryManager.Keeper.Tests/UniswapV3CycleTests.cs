using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Cycle;
using TreasuryManager.Keeper.Execution;
using TreasuryManager.Keeper.Journal;
using TreasuryManager.Strategy.Decisions;
using TreasuryManager.TestContracts;
using TreasuryManager.Testing;
using V3TickMath = TreasuryManager.Models.UniswapV3.TickMath;

namespace TreasuryManager.Keeper.Tests;

/// <summary>
/// One vault, two venues, one keeper: the deployment's ManagedPool and a Uniswap v3 position (a 0.3% pool priced by its
/// own oracle, the manager, the owner's deposit, the keeper's first range on [<see cref="CentreTick"/> ∓ 1,020] and
/// another provider's liquidity on ±3,000 ticks) — observed in one batch, decided by the same Decider, and the v3 position
/// re-ranged by a real signed manager.rebalance through the executor and its journal.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class UniswapV3CycleTests(LocalNodeFixture node) : TreasuryKeeperTest(node)
{
    /// <summary>The v3 pool's (and its oracle's) starting tick: a multiple of the spacing, so the first range has no skew.</summary>
    private const int CentreTick = -269_400;

    /// <summary>1.0001^CentreTick · 10^12 to 8 decimals (base 18, quote 6 decimals).</summary>
    private const decimal V3Price = 1.9984423m;

    private UniswapV3PositionDeployment V3 { get; set; } = null!;
    private DeployedOracle V3Oracle { get; set; } = null!;
    private UniswapV3Callee Callee { get; set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        V3Oracle = await D.DeployOracleAsync("BASE / USDQ v3", new BigInteger(V3Price * 100_000_000m));
        V3 = await UniswapV3PositionDeployment.DeployAsync(D, new UniswapV3PositionSettings
        {
            Price = V3Price,
            MaxLossBps = 1000, // the move through the whole range below costs more than the default 1% against holding
            Policy = D.Policy with { PriceFeed = V3Oracle.PriceFeed, VolatilityFeed = V3Oracle.VolatilityFeed },
        });
        await D.IncreaseTimeAsync(700); // the v3 pool's observations cover the policy's 600 s TWAP window
        await RefreshOraclesAsync(new BigInteger(V3Price * 100_000_000m));
        await V3.Manager.RebalanceAsync(D.Keeper, V3.Pool.Address, UniswapV3PositionDeployment.Centred(CentreTick, 1020));
        // another provider, as in any live pool: the keeper's swap (made after its own position is burnt) trades against it
        Callee = await UniswapV3Callee.DeployAsync(D.Owner, D.Artifact(UniswapV3Callee.ArtifactName));
        await V3.Quote.MintAsync(D.Owner, D.Trader.Address, D.QuoteUnits(1_000_000m));
        await D.Base.MintAsync(D.Owner, D.Trader.Address, D.BaseUnits(500_000m));
        await D.Base.ApproveAsync(D.Trader, Callee.Address, TreasuryDeployer.MaxUint256);
        await V3.Quote.ApproveAsync(D.Trader, Callee.Address, TreasuryDeployer.MaxUint256);
        var vaultLiquidity = (await V3.Manager.PositionOfAsync(V3.Pool.Address)).Liquidity;
        await Callee.MintAsync(D.Trader, V3.Pool.Address, CentreTick - 3000, CentreTick + 3000, vaultLiquidity);
    }

    private async Task RefreshOraclesAsync(BigInteger v3Answer)
    {
        await D.Oracle.UpdateAsync(D.Reporter, D.Settings.OraclePrice, D.Settings.OracleVolatility);
        await V3Oracle.Oracle.UpdateAsync(D.Reporter, v3Answer, D.Settings.OracleVolatility);
    }

    private TreasurySettings BothVenues(Func<TreasurySettings, TreasurySettings>? tweak = null) => Settings(s =>
    {
        var both = s with
        {
            UniswapV3Manager = V3.Manager.Address.ToString(),
            Pools = [.. s.Pools, new PoolSettings { Address = V3.Pool.Address.ToString(), Name = "BASE/USDQ v3", Venue = PoolVenue.UniswapV3 }],
        };
        return tweak is null ? both : tweak(both);
    });

    [Fact]
    public async Task One_cycle_observes_both_venues_in_one_batch_and_re_ranges_the_v3_position_the_price_left()
    {
        // a buyer pushes the v3 price 1,500 ticks up, past the position's upper tick: the vault's position is all quote
        await Callee.SwapAsync(D.Trader, V3.Pool.Address, zeroForOne: false, D.QuoteUnits(900_000m), V3TickMath.GetSqrtRatioAtTick(CentreTick + 1500), D.Trader.Address);
        var moved = await V3.Pool.Slot0Async();
        Assert.True(moved.Tick >= CentreTick + 1020, $"the price stayed in the range (tick {moved.Tick})");
        var price = Math.Pow(1.0001, (double)moved.Tick) * 1e12;
        await D.IncreaseTimeAsync(700); // the TWAP follows the new price; the oracle reports it
        await RefreshOraclesAsync(new BigInteger(Math.Round(price * 1e8)));
        var before = await V3.Manager.PositionOfAsync(V3.Pool.Address);

        using var runtime = await StartAsync(BothVenues());
        var report = (await runtime.Cycle.RunOnceAsync(act: true))!;

        // observed in one batch: block, fee history, one swap log read for both venues, the ManagedPool's 3 reads, the v3
        // pool's 5 (slot0, liquidity, observe, position, policy), the vault's pause, and the 4 feeds — then the v3 plan's
        // ring in one batch (its observation hint, from the slot0 just read), then the Guard's batch
        Assert.Equal(16, report.ObserveRequests);
        Assert.Equal(3, report.ReadRoundTrips);
        Assert.Equal(2, report.Decisions.Count);
        var v3Read = Assert.Single(report.Observations, o => o.Pool == V3.Pool.Address);
        Assert.Null(v3Read.Error);
        Assert.NotNull(v3Read.UniswapV3);
        Assert.False(v3Read.Snapshot!.InRange);
        Assert.Equal(3000, v3Read.Snapshot.FeePips);
        Assert.Contains(report.Observations, o => o.Pool == D.Pool.Address && o.State is not null);

        var decision = Assert.Single(report.Decisions, d => d.Pool == V3.Pool.Address);
        var plan = decision as Plan ?? throw new Xunit.Sdk.XunitException($"expected a plan for the v3 pool: {decision}");
        var target = Assert.IsType<UniswapV3Rebalance>(plan.UniswapV3);
        Assert.Equal(V3.Manager.Address, target.Manager);
        Assert.Equal(3000, plan.Action.Target.FeePips); // the pool's tier, never a fee change
        Assert.Equal(0, target.Range.Lower % V3.TickSpacing);
        Assert.Equal(0, target.Range.Upper % V3.TickSpacing);
        Assert.InRange((int)moved.Tick, target.Range.Lower, target.Range.Upper); // re-centred on the price
        Assert.False(target.Target.ZeroForOne); // all quote: the swap buys base, toward the target share
        Assert.True(target.Target.SwapAmountIn > 0);

        var mined = Assert.IsType<ExecutionOutcome.Mined>(Assert.Single(report.Outcomes, o => o.Key == plan.IntentKey.ToString()));
        Assert.True(mined.Receipt!.Succeeded);
        Assert.Equal(V3.Manager.Address, mined.Receipt.To);
        var rebalancedEvent = UniswapV3PositionManager.Abi.GetEvent("Rebalanced");
        var log = Assert.Single(mined.Receipt.Logs, l => l.Address == V3.Manager.Address && l.Topics[0].AsSpan().SequenceEqual(rebalancedEvent.Topic0));
        var rebalanced = UniswapV3PositionManager.RebalancedEvent.Decode(rebalancedEvent.DecodeLog(log.Topics, log.Data));
        Assert.Equal(V3.Pool.Address, rebalanced.Pool);
        Assert.Equal(KeeperKey.Address, rebalanced.Keeper);

        var after = await V3.Manager.PositionOfAsync(V3.Pool.Address);
        Assert.NotEqual((before.TickLower, before.TickUpper), (after.TickLower, after.TickUpper));
        Assert.Equal((BigInteger)target.Range.Lower, after.TickLower);
        Assert.Equal((BigInteger)target.Range.Upper, after.TickUpper);
        Assert.True(after.Liquidity > 0, "the new range holds liquidity");

        // journaled like a ManagedPool plan: the intent keyed by the v3 pool and the block, its outcome the mined hash
        var intent = Assert.Single(runtime.Journal!.AllIntents(), i => i.Pool == V3.Pool.Address);
        Assert.Equal(IntentKey.KindName(IntentKind.Rebalance), intent.Kind);
        Assert.Equal(mined.Outcome.TransactionHash, runtime.Journal.Outcome(intent.Id)!.TransactionHash);

        // the next cycle: nothing in flight, and the position where the plan put it is not sent again at once
        var next = (await runtime.Cycle.RunOnceAsync(act: true, evenIfSameBlock: true))!;
        var hold = Assert.IsType<Hold>(Assert.Single(next.Decisions, d => d.Pool == V3.Pool.Address));
        Assert.Contains(hold.Reason, new[] { HoldReason.TooSoon, HoldReason.AlreadyAtTarget, HoldReason.InsideBand, HoldReason.BenefitBelowGas });
    }

    [Fact]
    public async Task A_v3_pool_missing_from_the_manager_is_one_setup_error_naming_it()
    {
        // a second pool of the same factory (the 0.05% tier), never registered in the manager
        var other = await V3.Uniswap.CreatePoolAsync(D.Owner, D.Base.Address, V3.Quote.Address, 500, D.SqrtPriceX96(V3Price));
        var settings = BothVenues(s => s with
        {
            Pools = [.. s.Pools, new PoolSettings { Address = other.Address.ToString(), Name = "BASE/USDQ 0.05%", Venue = PoolVenue.UniswapV3 }],
        });
        var e = await Assert.ThrowsAsync<KeeperSetupException>(() => StartAsync(settings));
        Assert.Contains("BASE/USDQ 0.05%", e.Message, StringComparison.Ordinal);
        Assert.Contains(other.Address.ToString(), e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("not registered in the UniswapV3PositionManager", e.Message, StringComparison.Ordinal);
        Assert.Contains("registerPool", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_v3_pool_without_the_managers_address_is_one_setting_error_naming_it()
    {
        var settings = BothVenues(s => s with { UniswapV3Manager = null });
        var e = Assert.Throws<Strategy.Settings.SettingsException>(() => settings.Validate());
        var problem = Assert.Single(e.Problems);
        Assert.Equal("UniswapV3Manager", problem.Path);
        Assert.Contains("Pools:1 (BASE/USDQ v3) is a Uniswap v3 pool", problem.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dry_run_plans_the_v3_range_and_sends_nothing()
    {
        await Callee.SwapAsync(D.Trader, V3.Pool.Address, zeroForOne: false, D.QuoteUnits(900_000m), V3TickMath.GetSqrtRatioAtTick(CentreTick + 1500), D.Trader.Address);
        var tick = (await V3.Pool.Slot0Async()).Tick;
        await D.IncreaseTimeAsync(700);
        await RefreshOraclesAsync(new BigInteger(Math.Round(Math.Pow(1.0001, (double)tick) * 1e12 * 1e8)));
        var before = await V3.Manager.PositionOfAsync(V3.Pool.Address);
        var nonce = await Eth.GetTransactionCountAsync(KeeperKey.Address);

        using var runtime = await StartAsync(BothVenues(), readOnly: true);
        var report = (await runtime.Cycle.RunOnceAsync(act: false))!;
        var decision = Assert.Single(report.Decisions, d => d.Pool == V3.Pool.Address);
        var plan = decision as Plan ?? throw new Xunit.Sdk.XunitException($"expected a plan for the v3 pool: {decision}");
        Assert.NotNull(plan.UniswapV3);
        Assert.True(plan.GasUnits > 100_000, $"the Guard's estimate of manager.rebalance: {plan.GasUnits}");
        Assert.Empty(report.Outcomes);
        // the first decision assumed StrategySettings.AssumedRebalanceGas; the next assumes the Guard's estimate for this
        // pool (a v3 re-range costs about five times a ManagedPool's rebalance)
        Assert.Contains(plan.Reasons, r => r.Contains($"({BothVenues().Strategy.AssumedRebalanceGas} gas at", StringComparison.Ordinal));
        var again = Assert.IsType<Plan>(Assert.Single((await runtime.Cycle.RunOnceAsync(act: false, evenIfSameBlock: true))!.Decisions, d => d.Pool == V3.Pool.Address));
        Assert.Contains(again.Reasons, r => r.Contains($"({plan.GasUnits} gas at", StringComparison.Ordinal));
        Assert.Equal(nonce, await Eth.GetTransactionCountAsync(KeeperKey.Address));
        Assert.Equal(before, await V3.Manager.PositionOfAsync(V3.Pool.Address));
    }

    [Fact]
    public async Task A_v3_pool_whose_observations_do_not_reach_back_the_twap_window_holds_TwapNotCovered()
    {
        // a second venue just deployed: its pool's only observation is its initialisation, so observe([600, 0]) reverts OLD
        var fresh = await UniswapV3PositionDeployment.DeployAsync(D, new UniswapV3PositionSettings
        {
            Price = V3Price,
            Policy = D.Policy with { PriceFeed = V3Oracle.PriceFeed, VolatilityFeed = V3Oracle.VolatilityFeed },
        });
        var settings = Settings(s => s with
        {
            UniswapV3Manager = fresh.Manager.Address.ToString(),
            Pools = [.. s.Pools, new PoolSettings { Address = fresh.Pool.Address.ToString(), Name = "BASE/USDQ v3 new", Venue = PoolVenue.UniswapV3 }],
        });
        using var runtime = await StartAsync(settings, readOnly: true);
        var report = (await runtime.Cycle.RunOnceAsync(act: false))!;
        var hold = Assert.IsType<Hold>(Assert.Single(report.Decisions, d => d.Pool == fresh.Pool.Address));
        Assert.Equal(HoldReason.TwapNotCovered, hold.Reason);
        Assert.Contains("600 s TWAP window", hold.Detail, StringComparison.Ordinal);
        Assert.Contains(report.Decisions, d => d.Pool == D.Pool.Address); // the ManagedPool is decided all the same
    }

    /// <summary>
    /// A position the owner registered and funded but nobody minted: its holdings are on target and its band is zero, so
    /// the keeper used to hold it InsideBand every cycle (the σ rule, or a hedged pool). The first cycle now places them
    /// (trigger Unplaced): a real manager.rebalance mints them, no swap, and the next cycle does not place them again.
    /// </summary>
    [Fact]
    public async Task A_funded_position_nobody_minted_is_placed_by_the_first_cycle()
    {
        var fresh = await UniswapV3PositionDeployment.DeployAsync(D, new UniswapV3PositionSettings
        {
            Price = V3Price,
            Policy = D.Policy with { PriceFeed = V3Oracle.PriceFeed, VolatilityFeed = V3Oracle.VolatilityFeed },
        });
        await D.IncreaseTimeAsync(700); // its pool's observations cover the TWAP window
        await RefreshOraclesAsync(new BigInteger(V3Price * 100_000_000m));
        var before = await fresh.Manager.PositionOfAsync(fresh.Pool.Address);
        Assert.Equal(before.TickLower, before.TickUpper); // no position yet
        Assert.True(before.Idle0 > 0 && before.Idle1 > 0, "the deployment deposits both tokens");

        var settings = Settings(s => s with
        {
            UniswapV3Manager = fresh.Manager.Address.ToString(),
            Pools = [.. s.Pools, new PoolSettings { Address = fresh.Pool.Address.ToString(), Name = "BASE/USDQ v3 new", Venue = PoolVenue.UniswapV3 }],
        });
        using var runtime = await StartAsync(settings);
        var report = (await runtime.Cycle.RunOnceAsync(act: true))!;
        var decision = Assert.Single(report.Decisions, d => d.Pool == fresh.Pool.Address);
        var plan = decision as Plan ?? throw new Xunit.Sdk.XunitException($"expected a plan: {decision}");
        Assert.Equal(RebalanceTrigger.Unplaced, plan.Action.Trigger);
        var target = Assert.IsType<UniswapV3Rebalance>(plan.UniswapV3);
        Assert.Equal(BigInteger.Zero, target.Target.SwapAmountIn); // on target: nothing to swap
        var mined = Assert.IsType<ExecutionOutcome.Mined>(Assert.Single(report.Outcomes, o => o.Key == plan.IntentKey.ToString()));
        Assert.True(mined.Receipt!.Succeeded);

        var after = await fresh.Manager.PositionOfAsync(fresh.Pool.Address);
        Assert.Equal((BigInteger)target.Range.Lower, after.TickLower);
        Assert.Equal((BigInteger)target.Range.Upper, after.TickUpper);
        Assert.True(after.Liquidity > 0, "nothing was minted");
        Assert.True(after.Idle0 < before.Idle0 && after.Idle1 < before.Idle1, "the idle holdings were not placed");

        var next = (await runtime.Cycle.RunOnceAsync(act: true, evenIfSameBlock: true))!;
        Assert.False(Assert.Single(next.Decisions, d => d.Pool == fresh.Pool.Address) is Plan { Action.Trigger: RebalanceTrigger.Unplaced }, "placed twice");
    }
}
