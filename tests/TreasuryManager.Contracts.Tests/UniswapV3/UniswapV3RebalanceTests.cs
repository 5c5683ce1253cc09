using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
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
}
