using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Contracts.Tests.Support;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Testing;
using E = TreasuryManager.Contracts.Bindings.UniswapV3PositionManager.Errors;
using RangeTarget = TreasuryManager.Contracts.Bindings.UniswapV3PositionManager.RangeTarget;

namespace TreasuryManager.Contracts.Tests.UniswapV3;

/// <summary>
/// The guard matrix of the ManagedPool path, on the vault's Uniswap v3 position: each bound broken alone makes
/// UniswapV3PositionManager.rebalance revert with the error naming it — as a mined transaction too, leaving the position,
/// holdings, loss window, the manager's tokens and Uniswap's pool exactly as they were — and the same call just inside the
/// bound passes. Default policy (the deployment's): heartbeat 1 h, TWAP 600 s, ±200 bps deviation and skew, fee bounds
/// 500–10,000 pips (the pool's tier is 3,000), width 100–100,000 bps, 60 s interval, base share 10%–90%, swap slippage
/// 100 bps, loss budget 100 bps; pool and oracle at 1.0001^−269,400 (≈ 1.99844), holdings ≈ 49.96% base.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class UniswapV3GuardTests(LocalNodeFixture node) : UniswapV3Test(node)
{
    private const int Centre = UniswapV3Security.CentreTick;
    private const int NoHint = TreasuryManager.Contracts.UniswapV3.UniswapV3ObservationHint.None;

    private Task SimulateOkAsync(RangeTarget target) => S.Manager.SimulateRebalanceAsync(D.Keeper.Address, S.Pool.Address, target);

    private static RangeTarget Shifted(int ticks) => UniswapV3PositionDeployment.Centred(Centre + ticks, 1020);

    private BigInteger SqrtAt(decimal priceFactor) => D.SqrtPriceX96(UniswapV3Security.Price * priceFactor);

    [Fact]
    public async Task A_stale_price_feed_is_rejected_with_StaleOracle()
    {
        await S.ReadyAsync();
        await SimulateOkAsync(S.DefaultTarget);
        var updatedAt = (await new OracleFeed(D.Eth, D.PriceFeed).LatestRoundDataAsync()).UpdatedAt;
        // the simulation's block time follows the wall clock by up to a few seconds past the last block's, so "fresh"
        // is checked 5 s inside the heartbeat and "stale" at the heartbeat + 1 s (later only makes it staler)
        await D.IncreaseTimeAsync(3595);
        await SimulateOkAsync(S.DefaultTarget); // inside one heartbeat: still fresh
        await D.IncreaseTimeAsync(6);
        var reason = await S.AssertRebalanceRejectedAsync(S.DefaultTarget, E.StaleOracle);
        Assert.Equal(D.PriceFeed, (Address)reason.Arguments["feed"]!);
        Assert.Equal(updatedAt, reason.Arg("updatedAt"));
        Assert.Equal(new BigInteger(3600), reason.Arg("heartbeat"));
    }

    [Fact]
    public async Task A_stale_volatility_feed_is_rejected_with_StaleOracle()
    {
        await S.ReadyAsync();
        await S.SetPolicyAsync(p => p with { Params = p.Params with { VolatilityFeed = S.Mock.Address } });
        await S.Mock.SetAnswerAsync(D.Owner, 65_000_000);
        await SimulateOkAsync(S.DefaultTarget);
        var old = await D.LatestTimestampAsync() - 3601;
        await S.Mock.SetUpdatedAtAsync(D.Owner, old);
        var reason = await S.AssertRebalanceRejectedAsync(S.DefaultTarget, E.StaleOracle);
        Assert.Equal(S.Mock.Address, (Address)reason.Arguments["feed"]!);
        Assert.Equal(new BigInteger(old), reason.Arg("updatedAt"));
    }

    [Fact]
    public async Task The_price_feeds_own_volatility_feed_is_not_read_and_another_is()
    {
        // As the vault's (GuardMath.writtenTogether): the oracle's own pair is written in one update, so the price
        // feed's checks cover the volatility feed; a Chainlink-shaped mock is read (>= 6,800 gas more).
        await S.ReadyAsync();
        await S.Mock.SetAnswerAsync(D.Owner, 65_000_000);
        async Task<long> EstimateWithAsync(Address volatilityFeed)
        {
            await S.SetPolicyAsync(p => p with { Params = p.Params with { VolatilityFeed = volatilityFeed } });
            return await D.Eth.EstimateGasAsync(new CallRequest
            {
                From = D.Keeper.Address, To = S.Manager.Address, Data = UniswapV3PositionManager.EncodeRebalance(S.Pool.Address, S.DefaultTarget),
            });
        }
        var none = await EstimateWithAsync(Address.Zero);
        Assert.Equal(none, await EstimateWithAsync(D.VolatilityFeed));
        Assert.True(await EstimateWithAsync(S.Mock.Address) >= none + 6_800);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task A_non_positive_price_is_rejected_with_NonPositivePrice(long answer)
    {
        await S.ReadyAsync();
        await S.SetPolicyAsync(p => p with { Params = p.Params with { PriceFeed = S.Mock.Address } });
        await S.Mock.SetAnswerAsync(D.Owner, 199_844_230);
        await SimulateOkAsync(S.DefaultTarget);
        await S.Mock.SetAnswerAsync(D.Owner, answer);
        var reason = await S.AssertRebalanceRejectedAsync(S.DefaultTarget, E.NonPositivePrice);
        Assert.Equal(new BigInteger(answer), reason.Arg("answer"));
    }

    [Fact]
    public async Task A_non_positive_volatility_is_rejected_with_NonPositiveVolatility()
    {
        await S.ReadyAsync();
        await S.SetPolicyAsync(p => p with { Params = p.Params with { VolatilityFeed = S.Mock.Address } });
        await S.Mock.SetAnswerAsync(D.Owner, 1);
        await SimulateOkAsync(S.DefaultTarget);
        await S.Mock.SetAnswerAsync(D.Owner, 0);
        var reason = await S.AssertRebalanceRejectedAsync(S.DefaultTarget, E.NonPositiveVolatility);
        Assert.Equal(BigInteger.Zero, reason.Arg("answer"));
    }

    [Fact]
    public async Task A_pool_TWAP_away_from_the_oracle_is_rejected_with_TwapTickDeviation()
    {
        // Swaps hold Uniswap's pool 3% below the oracle for the whole window; the target is centred on the oracle.
        await S.SwapToAsync(SqrtAt(0.97m));
        await S.ReadyAsync();
        var reason = await S.AssertRebalanceRejectedAsync(S.DefaultTarget, E.TwapTickDeviation);
        Assert.InRange(reason.Arg("deviationBps"), 201, 400);
        Assert.Equal(new BigInteger(200), reason.Arg("maxBps"));
        var spotTick = (await S.Pool.Slot0Async()).Tick;
        Assert.Equal(spotTick, reason.Arg("twapTick")); // held all window: the mean tick is the spot's

        // 1.5% below, held as long: inside the bound (and the spot's), the same target passes.
        await S.SwapToAsync(SqrtAt(0.985m));
        await S.ReadyAsync();
        await SimulateOkAsync(S.DefaultTarget);
    }

    [Fact]
    public async Task A_spot_pushed_from_the_oracle_just_before_the_rebalance_is_rejected_with_SpotPriceDeviation()
    {
        // A same-moment front-run barely moves the 600 s TWAP; the spot check stops the mint at the pushed price.
        await S.ReadyAsync();
        await S.SwapToAsync(SqrtAt(0.975m));
        var reason = await S.AssertRebalanceRejectedAsync(S.DefaultTarget, E.SpotPriceDeviation);
        Assert.Equal((await S.Pool.Slot0Async()).SqrtPriceX96, reason.Arg("sqrtPriceX96"));
        Assert.InRange(reason.Arg("deviationBps"), 201, 300);

        await S.SwapToAsync(SqrtAt(0.985m));
        await SimulateOkAsync(S.DefaultTarget);
    }

    [Fact]
    public async Task A_centre_beyond_the_skew_bound_is_rejected_with_SkewTooLarge_and_inside_it_passes()
    {
        await S.ReadyAsync();
        // holdings far below the target share: the skew rule allows up to 199 bps upward
        await S.SetPolicyAsync(p => p with { Params = p.Params with { MinBaseShareBps = 4990, MaxBaseShareBps = 9000 } });
        var reason = await S.AssertRebalanceRejectedAsync(Shifted(240), E.SkewTooLarge);
        Assert.InRange(reason.Arg("skewBps"), 201, 260);
        Assert.Equal(new BigInteger(200), reason.Arg("maxBps"));
        await SimulateOkAsync(Shifted(180)); // ≈ 181 bps
    }

    [Fact]
    public async Task A_centre_skewed_against_the_inventory_is_rejected_with_SkewAgainstInventory()
    {
        // share ≈ 4,996 bps, target 5,000: nearly balanced, so no skew either way (allowed = 0); centred passes.
        await S.ReadyAsync();
        foreach (var shift in new[] { 60, -60 })
        {
            var reason = await S.AssertRebalanceRejectedAsync(Shifted(shift), E.SkewAgainstInventory);
            Assert.Equal(BigInteger.Zero, reason.Arg("allowedBps"));
            Assert.Equal(new BigInteger(5000), reason.Arg("targetShareBps"));
            Assert.Equal(shift > 0, reason.Arg("skewBps") > 0);
        }
        await SimulateOkAsync(S.DefaultTarget);
    }

    [Fact]
    public async Task A_centre_within_half_a_tick_spacing_of_the_oracle_passes_either_way_at_a_balanced_inventory()
    {
        // share ≈ 4,996 bps: no skew is allowed by the inventory, but a range on the 60-tick grid can centre no closer than
        // half a spacing (30 ticks ≈ 30.04 bps) to an oracle between its grid points: GuardMath.gridSkewToleranceBps(60) = 31
        await S.ReadyAsync();
        Assert.Equal(31, Models.Policy.VaultPolicyMath.GridSkewToleranceBps(60));
        await SimulateOkAsync(UniswapV3PositionDeployment.Centred(Centre + 30, 1050));
        await SimulateOkAsync(UniswapV3PositionDeployment.Centred(Centre - 30, 1050));
        // one spacing further (90 ticks ≈ 90 bps) is a skew against the inventory again
        var reason = await S.AssertRebalanceRejectedAsync(UniswapV3PositionDeployment.Centred(Centre + 90, 1050), E.SkewAgainstInventory);
        Assert.Equal(BigInteger.Zero, reason.Arg("allowedBps"));
        Assert.InRange(reason.Arg("skewBps"), 89, 91);
    }

    [Fact]
    public async Task A_range_outside_the_width_bounds_is_rejected_with_WidthOutOfBounds()
    {
        await S.ReadyAsync();
        await S.SetPolicyAsync(p => p with { Params = p.Params with { MinWidthBps = 3000 } });
        var reason = await S.AssertRebalanceRejectedAsync(S.DefaultTarget, E.WidthOutOfBounds);
        var width = reason.Arg("widthBps");
        Assert.InRange(width, 2200, 2300); // 1.0001^2040 − 1 ≈ 22.6%
        Assert.Equal(new BigInteger(3000), reason.Arg("min"));
        await S.SetPolicyAsync(p => p with { Params = p.Params with { MinWidthBps = width } });
        await SimulateOkAsync(S.DefaultTarget); // exactly at the minimum
        await S.SetPolicyAsync(p => p with { Params = p.Params with { MaxWidthBps = width - 1 } });
        var wide = await S.AssertRebalanceRejectedAsync(S.DefaultTarget, E.WidthOutOfBounds);
        Assert.Equal(width - 1, wide.Arg("max"));
        await S.SetPolicyAsync(p => p with { Params = p.Params with { MaxWidthBps = width } });
        await SimulateOkAsync(S.DefaultTarget);
    }

    [Fact]
    public async Task Ticks_off_the_spacing_or_out_of_order_are_rejected_with_InvalidTickRange()
    {
        await S.ReadyAsync();
        foreach (var t in new RangeTarget[] { new(Centre - 1020, Centre + 1030, false, 0, NoHint), new(Centre + 60, Centre - 60, false, 0, NoHint), new(Centre, Centre, false, 0, NoHint) })
        {
            var reason = await S.AssertRebalanceRejectedAsync(t, E.InvalidTickRange);
            Assert.Equal(new BigInteger(60), reason.Arg("tickSpacing"));
        }
    }

    [Fact]
    public async Task A_rebalance_sooner_than_the_interval_is_rejected_with_RebalanceTooSoon()
    {
        await S.ReadyAsync();
        await S.Manager.RebalanceAsync(D.Keeper, S.Pool.Address, S.DefaultTarget);
        var last = await D.LatestTimestampAsync();
        var reason = await S.AssertRebalanceRejectedAsync(S.DefaultTarget, E.RebalanceTooSoon);
        Assert.Equal(new BigInteger(last + 60), reason.Arg("nextAllowed"));
        await D.Eth.Rpc.CallAsync("evm_setNextBlockTimestamp", [last + 60]);
        await S.Manager.RebalanceAsync(D.Keeper, S.Pool.Address, S.DefaultTarget); // exactly at nextAllowed
    }

    [Fact]
    public async Task Holdings_outside_the_inventory_bounds_are_rejected_with_InventoryOutOfBounds_unless_recovery_is_allowed()
    {
        await S.ReadyAsync();
        await S.SetPolicyAsync(p => p with { AllowInventoryRecovery = false, Params = p.Params with { MinBaseShareBps = 5100, MaxBaseShareBps = 9000 } });
        var reason = await S.AssertRebalanceRejectedAsync(S.DefaultTarget, E.InventoryOutOfBounds);
        var share = reason.Arg("shareBps");
        Assert.InRange(share, 4990, 4999);
        await S.SetPolicyAsync(p => p with { AllowInventoryRecovery = false, Params = p.Params with { MinBaseShareBps = (int)share, MaxBaseShareBps = 9000 } });
        await SimulateOkAsync(S.DefaultTarget); // exactly at the minimum
        await S.SetPolicyAsync(p => p with { AllowInventoryRecovery = true, Params = p.Params with { MinBaseShareBps = 5100, MaxBaseShareBps = 9000 } });
        await SimulateOkAsync(S.DefaultTarget); // recovery: centred (skew 0) is toward any target
    }

    [Fact]
    public async Task A_swap_larger_than_the_holdings_is_rejected_with_SwapExceedsHoldings()
    {
        await S.ReadyAsync();
        var reason = await S.AssertRebalanceRejectedAsync(S.DefaultTarget with { ZeroForOne = false, SwapAmountIn = D.QuoteUnits(10_000_000m) }, E.SwapExceedsHoldings);
        Assert.Equal(D.QuoteUnits(10_000_000m), reason.Arg("amountIn"));
        Assert.InRange(reason.Arg("holding"), D.QuoteUnits(199_000m), D.QuoteUnits(201_000m));
    }

    [Fact]
    public async Task A_swap_away_from_or_past_the_target_share_is_rejected_with_SwapPastTarget()
    {
        // share ≈ 4,996 < target 5,000: selling base moves away; buying ~1,000 quote of base carries it past 5,000.
        await S.ReadyAsync();
        var away = await S.AssertRebalanceRejectedAsync(S.DefaultTarget with { ZeroForOne = true, SwapAmountIn = D.BaseUnits(10m) }, E.SwapPastTarget);
        Assert.True(away.Arg("shareAfterBps") < away.Arg("shareBeforeBps"));
        var past = await S.AssertRebalanceRejectedAsync(S.DefaultTarget with { ZeroForOne = false, SwapAmountIn = D.QuoteUnits(1_000m) }, E.SwapPastTarget);
        Assert.True(past.Arg("shareAfterBps") > past.Arg("targetShareBps"));
        // 50 quote of base: toward the target, not past it
        var receipt = await S.Manager.RebalanceAsync(D.Keeper, S.Pool.Address, S.DefaultTarget with { ZeroForOne = false, SwapAmountIn = D.QuoteUnits(50m) });
        Assert.Single(UniswapV3PositionManager.RebalancedEvents(receipt));
    }

    [Fact]
    public async Task A_swap_losing_more_than_the_slippage_bound_at_the_oracle_is_rejected_with_SwapSlippage()
    {
        // The 0.3% tier's fee alone loses 30 bps against the oracle: a 20 bps bound refuses the swap, 100 bps takes it.
        await S.ReadyAsync();
        await S.SetPolicyAsync(p => p with { MaxSwapSlippageBps = 20 });
        var target = S.DefaultTarget with { ZeroForOne = false, SwapAmountIn = D.QuoteUnits(50m) };
        var reason = await S.AssertRebalanceRejectedAsync(target, E.SwapSlippage);
        Assert.Equal(D.QuoteUnits(50m), reason.Arg("amountIn"));
        Assert.True(reason.Arg("amountOut") < reason.Arg("minAmountOut"));
        await S.SetPolicyAsync(p => p with { MaxSwapSlippageBps = 100 });
        await SimulateOkAsync(target);
    }

    [Fact]
    public async Task A_loss_beyond_the_budget_is_rejected_with_LossBudgetExceeded()
    {
        // The loss window started at the first rebalance. A trader pushes the pool 180 ticks (≈ 1.8%) down and the
        // oracle follows: the position bought base on the way down, worth less now than holding the start holdings.
        const int shift = -180;
        var newAnswer = (long)Math.Round(199_844_230 * Math.Pow(1.0001, shift));
        await S.SwapToAsync(SqrtAt((decimal)Math.Pow(1.0001, shift)));
        await S.ReadyAsync(newAnswer);
        await S.SetPolicyAsync(p => p with { MaxLossBps = 1 });
        var target = Shifted(shift);
        var reason = await S.AssertRebalanceRejectedAsync(target, E.LossBudgetExceeded);
        Assert.True(reason.Arg("loss") > reason.Arg("budget"));
        var hold = (await S.Manager.LossWindowOfAsync(S.Pool.Address)).StartTime;
        Assert.NotEqual(BigInteger.Zero, hold);
        await S.SetPolicyAsync(p => p with { MaxLossBps = 100 });
        await SimulateOkAsync(target);
    }
}
