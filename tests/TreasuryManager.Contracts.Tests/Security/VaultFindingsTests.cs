using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Contracts.Tests.Support;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Abi;
using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.Models.Policy;
using TreasuryManager.Testing;

namespace TreasuryManager.Contracts.Tests.Security;

/// <summary>
/// Findings of the keeper-key review besides the bound itself, each pinned by a test that failed on the vault before the
/// fix: the deposit's and the withdrawal's re-fit at an unchecked spot price, the observation ring sized by the vault, the owner's sweep, a
/// future-dated oracle round, pool errors in the vault's ABI, and the vault's Rebalanced event.
/// (Re-centring while paused: RebalanceGuardTests; the tolerant emergency withdrawal: ReentrancyAttackTests.)
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class VaultFindingsTests(LocalNodeFixture node) : SecurityTest(node)
{
    [Fact]
    public async Task A_deposit_is_refused_while_the_spot_price_is_pushed_off_the_oracle()
    {
        // Front-run: the trader pushes the pool toward the range edge (1.85, −7.5%); a deposit would re-fit L there on the
        // deposited tokens and the trader would swap back along the larger liquidity. The vault refuses the deposit.
        await S.ReadyToRebalanceAsync();
        await D.SwapToSqrtPriceAsync(D.SqrtPriceX96(1.85m));
        var before = await S.CaptureAsync();
        var reason = await Reverts.ExpectAsync(TreasuryVault.Errors.SpotPriceDeviation,
            () => D.Vault.DepositAsync(D.Owner, D.Pool.Address, D.BaseUnits(10_000m), D.QuoteUnits(20_000m)));
        Assert.Equal(before.State.SqrtPriceX96, reason.Arg("sqrtPriceX96"));
        Assert.True(reason.Arg("deviationBps") > 700);
        Assert.Equal(new BigInteger(200), reason.Arg("maxBps"));
        Assert.Equal(before, await S.CaptureAsync());

        // back within maxTwapDeviationBps (2%) of the oracle: accepted
        await D.SwapToSqrtPriceAsync(D.SqrtPriceX96(1.97m));
        await D.Vault.DepositAsync(D.Owner, D.Pool.Address, D.BaseUnits(10_000m), D.QuoteUnits(20_000m));
    }

    [Fact]
    public async Task A_withdrawal_is_refused_while_the_spot_price_is_pushed_off_the_oracle()
    {
        // The same front-run against the owner's withdrawal: the pool re-fits L on the remaining reserves at the spot
        // price. Refused with SpotPriceDeviation, mined and reverted, nothing moved (before the fix it went through).
        await S.ReadyToRebalanceAsync();
        await D.SwapToSqrtPriceAsync(D.SqrtPriceX96(1.85m));
        var before = await S.CaptureAsync();
        var ownerBase = await D.Base.BalanceOfAsync(D.Owner.Address);
        var reason = await Reverts.ExpectAsync(TreasuryVault.Errors.SpotPriceDeviation,
            () => D.Vault.WithdrawAsync(D.Owner, D.Pool.Address, D.BaseUnits(10_000m), D.QuoteUnits(1_000m), D.Owner.Address));
        Assert.Equal(before.State.SqrtPriceX96, reason.Arg("sqrtPriceX96"));
        Assert.True(reason.Arg("deviationBps") > 700);
        Assert.Equal(new BigInteger(200), reason.Arg("maxBps"));
        var block = await D.Eth.BlockNumberAsync();
        await Assert.ThrowsAsync<ContractRevertException>(() => D.Vault.Contract.SendAsync(D.Owner, "withdraw(address,uint256,uint256,address)",
            [D.Pool.Address, D.BaseUnits(10_000m), D.QuoteUnits(1_000m), D.Owner.Address], gasLimit: 1_000_000));
        Assert.Equal(block + 1, await D.Eth.BlockNumberAsync()); // mined (and reverted)
        Assert.Equal(before, await S.CaptureAsync());
        Assert.Equal(ownerBase, await D.Base.BalanceOfAsync(D.Owner.Address));

        // back within maxTwapDeviationBps (2%) of the oracle: accepted
        await D.SwapToSqrtPriceAsync(D.SqrtPriceX96(1.97m));
        await D.Vault.WithdrawAsync(D.Owner, D.Pool.Address, D.BaseUnits(10_000m), D.QuoteUnits(1_000m), D.Owner.Address);
        Assert.Equal(ownerBase + D.BaseUnits(10_000m), await D.Base.BalanceOfAsync(D.Owner.Address));
    }

    [Fact]
    public async Task Dust_swaps_every_block_cannot_push_the_TWAP_window_out_of_the_ring()
    {
        // The deployer grew the ring to 16; the vault grew it to ⌈600 / 12⌉ + 2 = 52 at registration. A 1-unit swap in
        // every 12 s block for 11 minutes writes 55 observations: with 16 slots the window's start would be overwritten
        // (ObservationTooOld, every rebalance failing), with 52 it is still there.
        Assert.Equal(new BigInteger(52), (await D.Pool.GetStateAsync()).ObservationCardinalityNext);
        for (var i = 0; i < 55; i++)
        {
            await D.SetNextBlockTimestampAsync(12);
            await D.SwapAsync(i % 2 == 0, 1);
        }
        await D.Oracle.UpdateAsync(D.Reporter, D.Settings.OraclePrice, D.Settings.OracleVolatility);
        Assert.Equal(new BigInteger(52), (await D.Pool.GetStateAsync()).ObservationCardinality);
        await D.Vault.RebalanceAsync(D.Keeper, D.Pool.Address, S.DefaultTarget);

        // a longer window grows the ring with it (30 min / 12 s + 2 = 152)
        await D.Vault.SetTwapWindowAsync(D.Owner, D.Pool.Address, 1800);
        Assert.Equal(new BigInteger(152), (await D.Pool.GetStateAsync()).ObservationCardinalityNext);
    }

    [Fact]
    public async Task The_owner_sweeps_the_vaults_own_balance_and_nobody_else_can()
    {
        await D.Quote.MintAsync(D.Owner, D.Vault.Address, D.QuoteUnits(1_000m));
        foreach (var sender in new[] { D.Keeper, D.Guardian, D.Stranger })
            await Reverts.ExpectAsync(TreasuryVault.Errors.OwnableUnauthorizedAccount, () => D.Vault.SweepAsync(sender, D.Quote.Address, 1));
        await Reverts.ExpectAsync(MintableERC20.Errors.ERC20InsufficientBalance, () => D.Vault.SweepAsync(D.Owner, D.Quote.Address, D.QuoteUnits(1_000.000001m)));
        var owner = await D.Quote.BalanceOfAsync(D.Owner.Address);
        var receipt = await D.Vault.SweepAsync(D.Owner, D.Quote.Address, D.QuoteUnits(400m));
        Assert.Equal(new TreasuryVault.SweptEvent(D.Quote.Address, D.Owner.Address, D.QuoteUnits(400m)), Assert.Single(TreasuryVault.SweptEvents(receipt)));
        Assert.Equal(owner + D.QuoteUnits(400m), await D.Quote.BalanceOfAsync(D.Owner.Address));
        Assert.Equal(D.QuoteUnits(600m), await D.Quote.BalanceOfAsync(D.Vault.Address));
    }

    [Fact]
    public async Task An_oracle_round_dated_in_the_future_is_refused_with_OracleRoundInFuture()
    {
        await S.ReadyToRebalanceAsync();
        await D.Vault.SetFeedsAsync(D.Owner, D.Pool.Address, S.Mock.Address, Address.Zero);
        await S.Mock.SetAnswerAsync(D.Owner, 200_000_000);
        var future = await D.LatestTimestampAsync() + 3_000;
        await S.Mock.SetUpdatedAtAsync(D.Owner, future);
        var reason = await S.AssertRebalanceRejectedAsync(S.DefaultTarget, TreasuryVault.Errors.OracleRoundInFuture);
        Assert.Equal(S.Mock.Address, (Address)reason.Arguments["feed"]!);
        Assert.Equal(new BigInteger(future), reason.Arg("updatedAt"));
        await Reverts.ExpectAsync(TreasuryVault.Errors.OracleRoundInFuture, () => D.Vault.OraclePriceX128Async(D.Pool.Address));
        // dated now: fresh again
        await S.Mock.SetUpdatedAtAsync(D.Owner, await D.LatestTimestampAsync());
        await D.Vault.SimulateRebalanceAsync(D.Keeper.Address, D.Pool.Address, S.DefaultTarget);
    }

    [Fact]
    public async Task Pool_errors_bubbling_through_the_vault_decode_with_the_vaults_own_abi()
    {
        // the bound equal to the centre: the pool's InvalidBound, raised inside reposition, surfaces from vault.rebalance
        await S.ReadyToRebalanceAsync();
        var target = S.DefaultTarget with { SqrtPriceBoundX96 = S.DefaultTarget.SqrtPriceX96 };
        var e = await Assert.ThrowsAsync<ContractRevertException>(() => D.Vault.RebalanceAsync(D.Keeper, D.Pool.Address, target));
        Assert.Equal(TreasuryVault.Errors.InvalidBound, e.ErrorName); // decoded by the vault's binding, no other ABI
        Assert.Equal(TreasuryVault.Errors.InvalidBound, RevertDecoder.Decode(e.Reason.RawData, TreasuryVault.Abi).ErrorName);
        foreach (var name in new[] { "PoolPaused", "RangeEdgeReached", "ObservationTooOld", "RangeUnbounded", "LiquidityOverflow", "InsufficientReserves" })
            Assert.Contains(TreasuryVault.Abi.Errors, x => x.Name == name);
    }

    [Fact]
    public async Task Rebalance_emits_the_keeper_the_oracle_price_the_TWAP_and_the_signed_skew()
    {
        await D.Vault.SetInventoryBoundsAsync(D.Owner, D.Pool.Address, 4000, 6000);
        await D.SwapToSqrtPriceAsync(D.SqrtPriceX96(1.99m)); // more base than the target: a skew below the oracle is allowed
        await S.ReadyToRebalanceAsync();
        var po = await D.Vault.OraclePriceX128Async(D.Pool.Address);
        var twap = (await D.Pool.ConsultAsync(600)).MeanLogPrice;
        var target = S.Target(1.996m, 1.9m, 2500);
        var receipt = await D.Vault.RebalanceAsync(D.Keeper, D.Pool.Address, target);
        var e = Assert.Single(TreasuryVault.RebalancedEvents(receipt));
        Assert.Equal(D.Pool.Address, e.Pool);
        Assert.Equal(D.Keeper.Address, e.Keeper);
        Assert.Equal(po, e.OraclePriceX128);
        Assert.Equal(twap, e.TwapLogPrice);
        Assert.Equal(-VaultPolicyMath.SkewBps(target.SqrtPriceX96, po), e.SkewBps);
        Assert.True(e.SkewBps < 0);
    }
}
