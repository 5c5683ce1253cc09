using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.TestContracts;
using TreasuryManager.Testing;

namespace TreasuryManager.Contracts.Tests.UniswapV3;

/// <summary>The keeper's re-range of a Uniswap v3 position through UniswapV3PositionManager, on Uniswap's own pool.</summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class UniswapV3RebalanceTests(LocalNodeFixture node) : UniswapV3Test(node)
{
    [Fact]
    public async Task A_rebalance_collects_burns_and_mints_the_new_range_with_the_whole_holdings()
    {
        var before = await S.CaptureAsync();
        Assert.True(before.Position.Liquidity > 0);
        Assert.Equal(before.Position.Liquidity + S.ThirdPartyLiquidity, before.PoolLiquidity); // ours and the other LP's

        await S.ReadyAsync();
        var target = UniswapV3PositionDeployment.Centred(UniswapV3Security.CentreTick, 600);
        var receipt = await S.Manager.RebalanceAsync(D.Keeper, S.Pool.Address, target);
        var e = Assert.Single(UniswapV3PositionManager.RebalancedEvents(receipt));

        var after = await S.CaptureAsync();
        Assert.Equal(target.TickLower, after.Position.TickLower);
        Assert.Equal(target.TickUpper, after.Position.TickUpper);
        Assert.Equal(after.Position.Liquidity + S.ThirdPartyLiquidity, after.PoolLiquidity);
        Assert.True(after.Position.Liquidity > before.Position.Liquidity, "a narrower range holds the same tokens in more liquidity");
        Assert.Equal(after.Position.Liquidity, e.Liquidity);
        Assert.Equal(D.Keeper.Address, e.Keeper);
        // the manager's tokens are the position's plus the idle dust it records
        Assert.True(after.Position.Idle0 < D.BaseUnits(1m) || after.Position.Idle1 < D.QuoteUnits(1m), $"one side is used up: idle {after.Position.Idle0}, {after.Position.Idle1}");
        Assert.Equal(await D.LatestTimestampAsync(), (long)after.Position.LastRebalanceTime);
    }

    /// <summary>
    /// The position's liquidity is the pool's record for the manager's key: liquidity someone else mints for the manager
    /// on its range (Uniswap lets anyone pay for any recipient) shows in positionOf, and the next rebalance burns it with
    /// the rest into the new range — none is left behind on the old one.
    /// </summary>
    [Fact]
    public async Task Liquidity_minted_for_the_manager_by_another_is_burned_into_the_next_range()
    {
        await S.ReadyAsync();
        var target = UniswapV3PositionDeployment.Centred(UniswapV3Security.CentreTick, 600);
        var before = await S.CaptureAsync();
        var withoutGift = (BigInteger)(await S.Manager.SimulateRebalanceAsync(D.Keeper.Address, S.Pool.Address, target))[0]!;

        var minter = await UniswapV3MintFor.DeployAsync(D.Trader, D.Artifact(UniswapV3MintFor.ArtifactName));
        await D.Base.ApproveAsync(D.Trader, minter.Address, TreasuryDeployer.MaxUint256);
        await S.V3.Quote.ApproveAsync(D.Trader, minter.Address, TreasuryDeployer.MaxUint256);
        var gift = before.Position.Liquidity / 5;
        await minter.MintForAsync(D.Trader, S.Pool.Address, S.Manager.Address, before.Position.TickLower, before.Position.TickUpper, gift);

        var gifted = await S.CaptureAsync();
        Assert.Equal(before.Position.Liquidity + gift, gifted.Position.Liquidity);
        Assert.Equal((before.ManagerBase, before.ManagerQuote), (gifted.ManagerBase, gifted.ManagerQuote)); // the gift is in the pool

        var receipt = await S.Manager.RebalanceAsync(D.Keeper, S.Pool.Address, target);
        var e = Assert.Single(UniswapV3PositionManager.RebalancedEvents(receipt));
        var after = await S.CaptureAsync();
        // only the new position and the other LP's remain in range: nothing of the old range (ours or the gift) is left
        Assert.Equal(after.Position.Liquidity + S.ThirdPartyLiquidity, after.PoolLiquidity);
        Assert.Equal(after.Position.Liquidity, e.Liquidity);
        // the gift's tokens funded the new range in proportion: ≈ (L + gift) / L of what it would have minted without
        var expected = withoutGift * (before.Position.Liquidity + gift) / before.Position.Liquidity;
        Assert.InRange((double)e.Liquidity / (double)expected, 0.995, 1.005);
    }
}
