using TreasuryManager.Models.Policy;
using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Contracts.Tests.Support;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Testing;
using TreasuryManager.Models.Curve;

namespace TreasuryManager.Contracts.Tests.Security;

/// <summary>
/// Each bound of the pool's policy, broken alone, makes <c>rebalance</c> revert on-chain with the error naming it and its
/// numbers — and leaves the pool exactly as it was (state, reserves, token balances; checked on a mined, reverted
/// transaction too). The same target within the bound passes, so the named bound is the only cause. Default policy:
/// heartbeat 1 h, TWAP 600 s, ±200 bps deviation and skew, fee 500–10,000 pips, width 100–100,000 bps, 60 s interval,
/// base share 10%–90%; pool 2.0 on [1.8, 2.2], oracle 2.0 (8 decimals; base 18, quote 6 decimals: exp = −20).
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class RebalanceGuardTests(LocalNodeFixture node) : SecurityTest(node)
{
    private const int PriceScaleExp = 6 - 18 - 8;

    private BigInteger OraclePriceX128(BigInteger answer) => VaultPolicyMath.PriceX128(answer, PriceScaleExp)!.Value;

    private Task SimulateOkAsync(TreasuryVault.Target target, ManagedPool? pool = null) =>
        D.Vault.SimulateRebalanceAsync(D.Keeper.Address, (pool ?? D.Pool).Address, target);

    [Fact]
    public async Task A_stale_price_feed_is_rejected_with_StaleOracle()
    {
        await S.ReadyToRebalanceAsync();
        var (_, _, _, updatedAt, _) = await new OracleFeed(D.Eth, D.PriceFeed).LatestRoundDataAsync();
        await SimulateOkAsync(S.DefaultTarget);
        await D.IncreaseTimeAsync(3601);
        var reason = await S.AssertRebalanceRejectedAsync(S.DefaultTarget, TreasuryVault.Errors.StaleOracle);
        Assert.Equal(D.PriceFeed, (Address)reason.Arguments["feed"]!);
        Assert.Equal(updatedAt, reason.Arg("updatedAt"));
        Assert.Equal(new BigInteger(3600), reason.Arg("heartbeat"));
    }

    [Fact]
    public async Task A_stale_volatility_feed_is_rejected_with_StaleOracle()
    {
        await S.ReadyToRebalanceAsync();
        await D.Vault.SetFeedsAsync(D.Owner, D.Pool.Address, D.PriceFeed, S.Mock.Address);
        await S.Mock.SetAnswerAsync(D.Owner, 65_000_000);
        await SimulateOkAsync(S.DefaultTarget);
        var old = await D.LatestTimestampAsync() - 3600 - 10;
        await S.Mock.SetUpdatedAtAsync(D.Owner, old);
        var reason = await S.AssertRebalanceRejectedAsync(S.DefaultTarget, TreasuryVault.Errors.StaleOracle);
        Assert.Equal(S.Mock.Address, (Address)reason.Arguments["feed"]!);
        Assert.Equal(new BigInteger(old), reason.Arg("updatedAt"));
    }

    [Fact]
    public async Task The_price_feeds_own_volatility_feed_is_not_read_and_any_other_volatility_feed_is()
    {
        // The deployment's oracle writes price and volatility in one update (and refuses a volatility <= 0), so the
        // price feed's checks prove the volatility feed's: the vault skips that read (GuardMath.writtenTogether). The
        // same rebalance costs what it costs with no volatility feed at all; another oracle's volatility feed, or a
        // Chainlink-shaped mock, is read (a cold account, its round and the vault's slot naming it: >= 6,800 gas).
        await S.ReadyToRebalanceAsync();
        var other = await D.DeployOracleAsync("OTHER / USDQ", 200_000_000);
        await S.Mock.SetAnswerAsync(D.Owner, 65_000_000);
        async Task<long> EstimateWithAsync(Address priceFeed, Address volatilityFeed)
        {
            await D.Vault.SetFeedsAsync(D.Owner, D.Pool.Address, priceFeed, volatilityFeed);
            return await D.Eth.EstimateGasAsync(new CallRequest
            {
                From = D.Keeper.Address, To = D.Vault.Address, Data = TreasuryVault.EncodeRebalance(D.Pool.Address, S.DefaultTarget),
            });
        }
        var none = await EstimateWithAsync(D.PriceFeed, Address.Zero);
        Assert.Equal(none, await EstimateWithAsync(D.PriceFeed, D.VolatilityFeed));
        Assert.True(await EstimateWithAsync(D.PriceFeed, other.VolatilityFeed) >= none + 6_800);
        Assert.True(await EstimateWithAsync(D.PriceFeed, S.Mock.Address) >= none + 6_800);
        // the other oracle's pair is its own: not read; its price feed beside this oracle's volatility feed: read
        var otherNone = await EstimateWithAsync(other.PriceFeed, Address.Zero);
        Assert.Equal(otherNone, await EstimateWithAsync(other.PriceFeed, other.VolatilityFeed));
        Assert.True(await EstimateWithAsync(other.PriceFeed, D.VolatilityFeed) >= otherNone + 6_800);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(-200_000_000)]
    public async Task A_non_positive_price_is_rejected_with_NonPositivePrice(long answer)
    {
        await S.ReadyToRebalanceAsync();
        await D.Vault.SetFeedsAsync(D.Owner, D.Pool.Address, S.Mock.Address, D.VolatilityFeed);
        await S.Mock.SetAnswerAsync(D.Owner, 200_000_000);
        await SimulateOkAsync(S.DefaultTarget); // the mock at 2.0 is accepted
        await S.Mock.SetAnswerAsync(D.Owner, answer);
        var reason = await S.AssertRebalanceRejectedAsync(S.DefaultTarget, TreasuryVault.Errors.NonPositivePrice);
        Assert.Equal(new BigInteger(answer), reason.Arg("answer"));
    }

    [Fact]
    public async Task A_non_positive_volatility_is_rejected_with_NonPositiveVolatility()
    {
        // The oracle itself refuses a volatility of 0 (VolatilityOracle.NonPositiveVolatility); the vault refuses 0 and
        // negative answers from any AggregatorV3Interface (the mock) as well.
        await S.ReadyToRebalanceAsync();
        var refused = await Reverts.ExpectAsync(VolatilityOracle.Errors.NonPositiveVolatility, () => D.Oracle.UpdateAsync(D.Reporter, 200_000_000, 0));
        Assert.Equal(BigInteger.Zero, refused.Arg("answer"));
        await D.Vault.SetFeedsAsync(D.Owner, D.Pool.Address, D.PriceFeed, S.Mock.Address);
        foreach (var answer in new long[] { 0, -1 })
        {
            await S.Mock.SetAnswerAsync(D.Owner, answer);
            var reason = await S.AssertRebalanceRejectedAsync(S.DefaultTarget, TreasuryVault.Errors.NonPositiveVolatility);
            Assert.Equal(new BigInteger(answer), reason.Arg("answer"));
        }
    }

    [Fact]
    public async Task A_pool_TWAP_away_from_the_oracle_is_rejected_with_TwapDeviation()
    {
        // Swaps hold the pool at 1.94 (−3%) for the whole window while the oracle stays at 2.0; the keeper's target
        // is centred on the oracle (skew 0), so only the TWAP bound can refuse it.
        await D.SwapToSqrtPriceAsync(D.SqrtPriceX96(1.94m));
        await S.ReadyToRebalanceAsync();
        var policy = await D.Vault.PolicyOfAsync(D.Pool.Address);
        var reason = await S.AssertRebalanceRejectedAsync(S.DefaultTarget, TreasuryVault.Errors.TwapDeviation);
        var twap = reason.Arg("twapLogPrice");
        var oracle = reason.Arg("oracleLogPrice");
        Assert.True(BigInteger.Abs(twap - oracle) > policy.MaxTwapDeviationLog, $"|{twap} - {oracle}| <= {policy.MaxTwapDeviationLog}");
        Assert.True(twap < oracle);
        Assert.Equal(new BigInteger(200), reason.Arg("maxBps"));
        Assert.Equal((await D.Pool.ConsultAsync(600)).MeanLogPrice, twap);

        // Within the bound (−1.5%), the same target passes.
        await D.SwapToSqrtPriceAsync(D.SqrtPriceX96(1.97m));
        await S.ReadyToRebalanceAsync();
        await SimulateOkAsync(S.DefaultTarget);
    }

    [Fact]
    public async Task No_observation_hint_lets_a_keeper_bypass_the_TWAP_guard()
    {
        // The keeper chooses the observation hint (a gas saving). Whatever slot it names, the pool uses it only when it
        // is the observation whose interval contains the window's start, else it searches: the TWAP is the same.
        await D.SwapToSqrtPriceAsync(D.SqrtPriceX96(1.94m));
        await D.IncreaseTimeAsync(200);
        await D.SwapAsync(false, D.QuoteUnits(1m)); // more observations in the ring
        await S.ReadyToRebalanceAsync(seconds: 500);
        var cardinality = (int)(await D.Pool.GetStateAsync()).ObservationCardinality;
        var expected = (await Reverts.ExpectAsync(TreasuryVault.Errors.TwapDeviation,
            () => D.Vault.SimulateRebalanceAsync(D.Keeper.Address, D.Pool.Address, S.DefaultTarget))).Arg("twapLogPrice");
        for (var hint = 0; hint < cardinality; hint++)
        {
            var target = S.DefaultTarget with { ObservationHint = hint };
            var reason = await Reverts.ExpectAsync(TreasuryVault.Errors.TwapDeviation,
                () => D.Vault.SimulateRebalanceAsync(D.Keeper.Address, D.Pool.Address, target));
            Assert.Equal(expected, reason.Arg("twapLogPrice"));
        }
    }

    [Theory]
    [InlineData("2.05", true)]
    [InlineData("1.95", true)]
    [InlineData("2.0403", true)]
    [InlineData("2.04", false)]
    [InlineData("2.039", false)]
    [InlineData("1.961", false)]
    public async Task A_centre_skewed_from_the_oracle_is_rejected_with_SkewTooLarge(string centre, bool rejected)
    {
        await S.ReadyToRebalanceAsync();
        var c = decimal.Parse(centre, System.Globalization.CultureInfo.InvariantCulture);
        var target = S.Target(c, c - 0.1m, 2500);
        var expectedSkew = VaultPolicyMath.SkewBps(target.SqrtPriceX96, OraclePriceX128(200_000_000));
        Assert.Equal(rejected, expectedSkew > 200);
        if (!rejected)
        {
            // within maxSkew the vault also wants the skew to steer toward the target share: bounds that allow it
            await S.PermitSkewAsync(c > 2.0m ? 1 : -1);
            await SimulateOkAsync(target);
            return;
        }
        var reason = await S.AssertRebalanceRejectedAsync(target, TreasuryVault.Errors.SkewTooLarge);
        Assert.Equal(target.SqrtPriceX96, reason.Arg("centreSqrtPriceX96"));
        Assert.Equal(OraclePriceX128(200_000_000), reason.Arg("oraclePriceX128"));
        Assert.Equal(expectedSkew, reason.Arg("skewBps"));
        Assert.Equal(new BigInteger(200), reason.Arg("maxBps"));
    }

    [Fact]
    public async Task A_centre_beyond_128_bits_is_rejected_with_SkewTooLarge_not_an_overflow()
    {
        await S.ReadyToRebalanceAsync();
        var target = S.DefaultTarget with { SqrtPriceX96 = BigInteger.One << 128 };
        var reason = await S.AssertRebalanceRejectedAsync(target, TreasuryVault.Errors.SkewTooLarge);
        Assert.Equal(TreasuryDeployer.MaxUint256, reason.Arg("skewBps"));
    }

    [Theory]
    [InlineData(499, true)]
    [InlineData(10_001, true)]
    [InlineData(0, true)]
    [InlineData(500, false)]
    [InlineData(10_000, false)]
    public async Task A_fee_outside_the_bounds_is_rejected_with_FeeOutOfBounds(int feePips, bool rejected)
    {
        await S.ReadyToRebalanceAsync();
        var target = S.DefaultTarget with { FeePips = feePips };
        if (!rejected)
        {
            await SimulateOkAsync(target);
            return;
        }
        var reason = await S.AssertRebalanceRejectedAsync(target, TreasuryVault.Errors.FeeOutOfBounds);
        Assert.Equal(new BigInteger(feePips), reason.Arg("feePips"));
        Assert.Equal(new BigInteger(500), reason.Arg("min"));
        Assert.Equal(new BigInteger(10_000), reason.Arg("max"));
    }

    [Theory]
    [InlineData("1.9999")] // too narrow: well under 1%
    [InlineData("0.15")] // too wide: over 1000%
    public async Task A_range_width_outside_the_bounds_is_rejected_with_WidthOutOfBounds(string lowerBound)
    {
        await S.ReadyToRebalanceAsync();
        var target = S.Target(2.0m, decimal.Parse(lowerBound, System.Globalization.CultureInfo.InvariantCulture), 2500);
        var (_, low, high) = await D.Pool.PreviewRepositionAsync(target.SqrtPriceX96, target.SqrtPriceBoundX96);
        var width = VaultPolicyMath.WidthBps(high, low);
        Assert.True(width < 100 || width > 100_000);
        var reason = await S.AssertRebalanceRejectedAsync(target, TreasuryVault.Errors.WidthOutOfBounds);
        Assert.Equal(width, reason.Arg("widthBps"));
        Assert.Equal(new BigInteger(100), reason.Arg("min"));
        Assert.Equal(new BigInteger(100_000), reason.Arg("max"));
    }

    [Fact]
    public async Task With_an_unbounded_maximum_width_a_full_range_passes_and_the_minimum_still_holds()
    {
        await S.ReadyToRebalanceAsync();
        var full = S.Target(2.0m, 2.0m / 100_000m, 2500); // price ÷ 100,000: the keeper's full range (far past the policy's 100,000 bps)
        var (_, low, high) = await D.Pool.PreviewRepositionAsync(full.SqrtPriceX96, full.SqrtPriceBoundX96);
        Assert.True(VaultPolicyMath.WidthBps(high, low) > 10_000_000);
        await S.AssertRebalanceRejectedAsync(full, TreasuryVault.Errors.WidthOutOfBounds);
        Assert.Equal(VaultPolicyMath.UnboundedWidthBps, (long)await D.Vault.UNBOUNDED_WIDTH_BPSAsync());
        await D.Vault.SetWidthBoundsAsync(D.Owner, D.Pool.Address, 100, (long)VaultPolicyMath.UnboundedWidthBps);
        await D.Vault.RebalanceAsync(D.Keeper, D.Pool.Address, full);
        Assert.Equal((low, high), ((await D.Pool.GetStateAsync()).SqrtPriceLowX96, (await D.Pool.GetStateAsync()).SqrtPriceHighX96));
        // the minimum is still checked
        await D.IncreaseTimeAsync(61);
        var reason = await S.AssertRebalanceRejectedAsync(S.Target(2.0m, 1.9999m, 2500), TreasuryVault.Errors.WidthOutOfBounds);
        Assert.Equal(new BigInteger(uint.MaxValue), reason.Arg("max"));
    }

    [Fact]
    public async Task A_second_rebalance_within_the_interval_is_rejected_with_RebalanceTooSoon()
    {
        await S.ReadyToRebalanceAsync();
        await D.Vault.RebalanceAsync(D.Keeper, D.Pool.Address, S.DefaultTarget);
        var first = await D.Pool.LastRepositionTimeAsync();
        var reason = await S.AssertRebalanceRejectedAsync(S.DefaultTarget, TreasuryVault.Errors.RebalanceTooSoon);
        Assert.Equal(first + 60, reason.Arg("nextAllowed"));

        await D.IncreaseTimeAsync(61);
        await D.Vault.RebalanceAsync(D.Keeper, D.Pool.Address, S.DefaultTarget);
        Assert.True(await D.Pool.LastRepositionTimeAsync() >= first + 61);
    }

    [Theory]
    [InlineData(6000, 9000)]
    [InlineData(1000, 4000)]
    public async Task An_inventory_share_outside_the_bounds_is_rejected_with_InventoryOutOfBounds(int minBps, int maxBps)
    {
        await S.ReadyToRebalanceAsync();
        await SimulateOkAsync(S.DefaultTarget);
        await D.Vault.SetInventoryBoundsAsync(D.Owner, D.Pool.Address, minBps, maxBps);
        await D.Vault.SetAllowInventoryRecoveryAsync(D.Owner, D.Pool.Address, false); // the deployment turns it on (CrashRecoveryTests)
        var (r0, r1) = await D.Pool.GetReservesAsync();
        var share = VaultPolicyMath.BaseShareBps(r0, r1, OraclePriceX128(200_000_000));
        Assert.InRange(share, new BigInteger(4990), new BigInteger(5000)); // ~100,000 base at 2.0 against ~200,000 quote
        var reason = await S.AssertRebalanceRejectedAsync(S.DefaultTarget, TreasuryVault.Errors.InventoryOutOfBounds);
        Assert.Equal(share, reason.Arg("shareBps"));
        Assert.Equal(new BigInteger(minBps), reason.Arg("min"));
        Assert.Equal(new BigInteger(maxBps), reason.Arg("max"));
    }

    [Fact]
    public async Task An_unregistered_pool_is_rejected_with_UnknownPool_everywhere()
    {
        await S.ReadyToRebalanceAsync();
        var spare = S.SparePool.Address;
        var reason = await Reverts.ExpectAsync(TreasuryVault.Errors.UnknownPool, () => D.Vault.RebalanceAsync(D.Keeper, spare, S.DefaultTarget));
        Assert.Equal(spare, (Address)reason.Arguments["pool"]!);
        await Reverts.ExpectAsync(TreasuryVault.Errors.UnknownPool, () => D.Vault.SimulateRebalanceAsync(D.Keeper.Address, D.Stranger.Address, S.DefaultTarget));
        await Reverts.ExpectAsync(TreasuryVault.Errors.UnknownPool, () => D.Vault.SimulateSetHeartbeatAsync(D.Owner.Address, spare, 1800));
        await Reverts.ExpectAsync(TreasuryVault.Errors.UnknownPool, () => D.Vault.SimulateDepositAsync(D.Owner.Address, spare, 1, 1));
        await Reverts.ExpectAsync(TreasuryVault.Errors.UnknownPool, () => D.Vault.SimulateWithdrawAsync(D.Owner.Address, spare, 1, 1, D.Owner.Address));
        await Reverts.ExpectAsync(TreasuryVault.Errors.UnknownPool, () => D.Vault.OraclePriceX128Async(spare));
        await D.Vault.PauseAsync(D.Guardian);
        await Reverts.ExpectAsync(TreasuryVault.Errors.UnknownPool, () => D.Vault.SimulateEmergencyWithdrawAsync(D.Guardian.Address, spare));
    }

    [Fact]
    public async Task Pause_stops_swaps_until_the_owner_unpauses_and_the_keeper_recentres_while_paused()
    {
        await S.ReadyToRebalanceAsync();
        await D.Vault.PauseAsync(D.Guardian);
        var before = await S.CaptureAsync();
        Assert.True(before.State.Paused);

        // PoolPaused is the pool's error; the vault's ABI declares it too (bubbled errors decode with the vault's ABI)
        var e = await Assert.ThrowsAsync<TreasuryManager.Ethereum.Contracts.ContractRevertException>(() => D.SwapAsync(true, D.BaseUnits(1m)));
        Assert.Equal(ManagedPool.Errors.PoolPaused, Reverts.Decode(e).ErrorName);
        Assert.Equal(TreasuryVault.Errors.PoolPaused, TreasuryManager.Ethereum.Abi.RevertDecoder.Decode(e.Reason.RawData, [TreasuryVault.Abi]).ErrorName);
        await Reverts.ExpectAsync(ManagedPool.Errors.PoolPaused, () => D.SwapAsync(false, D.QuoteUnits(1m)));
        Assert.Equal(before, await S.CaptureAsync());

        // While paused the oracle moves +5%: the pool's price is frozen at 2.0. Unpausing now would reopen swaps 5% off
        // the market (and the swap-free TWAP would refuse any re-centre after). The keeper re-centres while paused (the
        // vault skips the TWAP check then: no swap can have moved it), swaps stay shut.
        await S.ReadyToRebalanceAsync(210_000_000);
        var target = S.Target(2.1m, 2.0m, 2500);
        var receipt = await D.Vault.RebalanceAsync(D.Keeper, D.Pool.Address, target);
        var rebalanced = Assert.Single(TreasuryVault.RebalancedEvents(receipt));
        Assert.Equal(BigInteger.Zero, rebalanced.TwapLogPrice);
        var paused = await D.Pool.GetStateAsync();
        Assert.True(paused.Paused);
        Assert.Equal(SqrtPriceGrid.RoundDown(target.SqrtPriceX96), paused.SqrtPriceX96);
        await Reverts.ExpectAsync(ManagedPool.Errors.PoolPaused, () => D.SwapAsync(true, D.BaseUnits(1m)));

        // the guardian cannot unpause; the owner can, and swaps reopen at the re-centred price
        await Reverts.ExpectAsync(TreasuryVault.Errors.OwnableUnauthorizedAccount, () => D.Vault.UnpauseAsync(D.Guardian));
        await D.Vault.UnpauseAsync(D.Owner);
        var swap = Assert.Single(ManagedPool.SwapEvents(await D.SwapAsync(true, D.BaseUnits(1m))));
        Assert.True(swap.SqrtPriceX96 < target.SqrtPriceX96 && swap.SqrtPriceX96 > D.SqrtPriceX96(2.09m));
    }

    [Fact]
    public async Task Emergency_withdrawal_works_only_while_paused_and_pays_only_the_owner()
    {
        await Reverts.ExpectAsync(TreasuryVault.Errors.ExpectedPause, () => D.Vault.EmergencyWithdrawAsync(D.Guardian, D.Pool.Address));
        await Reverts.ExpectAsync(TreasuryVault.Errors.ExpectedPause, () => D.Vault.EmergencyWithdrawAsync(D.Owner, D.Pool.Address));
        await D.Vault.PauseAsync(D.Guardian);
        await Reverts.ExpectAsync(TreasuryVault.Errors.NotGuardianOrOwner, () => D.Vault.EmergencyWithdrawAsync(D.Keeper, D.Pool.Address));

        // Ownership moves (two steps) to the stranger: the guardian's emergency withdrawal pays the new owner, and
        // nobody else — not the guardian who called, not the old owner.
        await D.Vault.TransferOwnershipAsync(D.Owner, D.Stranger.Address);
        await D.Vault.AcceptOwnershipAsync(D.Stranger);
        var pool = await S.CaptureAsync();
        var ownerBase = await D.Base.BalanceOfAsync(D.Stranger.Address);
        var ownerQuote = await D.Quote.BalanceOfAsync(D.Stranger.Address);
        var guardianBase = await D.Base.BalanceOfAsync(D.Guardian.Address);
        var oldOwnerBase = await D.Base.BalanceOfAsync(D.Owner.Address);

        var receipt = await D.Vault.EmergencyWithdrawAsync(D.Guardian, D.Pool.Address);
        var e = Assert.Single(TreasuryVault.EmergencyWithdrawnEvents(receipt));
        Assert.Equal(D.Stranger.Address, e.To);
        Assert.Equal(pool.Balance0, e.Amount0);
        Assert.Equal(pool.Balance1, e.Amount1);
        Assert.Equal(ownerBase + pool.Balance0, await D.Base.BalanceOfAsync(D.Stranger.Address));
        Assert.Equal(ownerQuote + pool.Balance1, await D.Quote.BalanceOfAsync(D.Stranger.Address));
        Assert.Equal(guardianBase, await D.Base.BalanceOfAsync(D.Guardian.Address));
        Assert.Equal(oldOwnerBase, await D.Base.BalanceOfAsync(D.Owner.Address));
        var after = await D.Pool.GetStateAsync();
        Assert.Equal(BigInteger.Zero, after.Reserve0);
        Assert.Equal(BigInteger.Zero, after.Reserve1);
        Assert.Equal(BigInteger.Zero, await D.Base.BalanceOfAsync(D.Pool.Address));
    }
}
