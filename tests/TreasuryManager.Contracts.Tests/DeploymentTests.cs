using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Contracts.Tests.Support;
using TreasuryManager.Testing;
using TreasuryManager.Models.Curve;

namespace TreasuryManager.Contracts.Tests;

[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class DeploymentTests(LocalNodeFixture node) : NodeTest(node)
{
    [Fact]
    public async Task A_deployed_treasury_swaps_and_rebalances_within_policy()
    {
        var d = await TreasuryDeployment.DeployAsync(Node);
        var before = await d.Pool.GetStateAsync();
        Assert.Equal(d.BaseUnits(100_000m), before.Reserve0);
        Assert.Equal(d.QuoteUnits(200_000m), before.Reserve1);

        var swap = await d.SwapAsync(true, d.BaseUnits(10m));
        var swapped = Assert.Single(ManagedPool.SwapEvents(swap));
        Assert.Equal(d.BaseUnits(10m), swapped.AmountIn);
        Assert.True(swapped.AmountOut > 0);
        var after = await d.Pool.GetStateAsync();
        Assert.Equal(before.Reserve0 + swapped.AmountIn, after.Reserve0);
        Assert.Equal(before.Reserve1 - swapped.AmountOut, after.Reserve1);
        Assert.Equal(after.Reserve0, await d.Base.BalanceOfAsync(d.Pool.Address));
        Assert.Equal(after.Reserve1, await d.Quote.BalanceOfAsync(d.Pool.Address));

        await d.IncreaseTimeAsync(700);
        await d.Oracle.UpdateAsync(d.Reporter, 200_000_000, 65_000_000);
        var target = new TreasuryVault.Target(d.SqrtPriceX96(2.0m), d.SqrtPriceX96(1.9m), 2500, 65535);
        var rebalance = await d.Vault.RebalanceAsync(d.Keeper, d.Pool.Address, target);
        Assert.True(rebalance.Receipt.Succeeded);
        var repositioned = await d.Pool.GetStateAsync();
        // the pool puts the centre and the given bound on its grid (56 significant bits), rounded down
        Assert.Equal(SqrtPriceGrid.RoundDown(target.SqrtPriceX96), repositioned.SqrtPriceX96);
        Assert.Equal(SqrtPriceGrid.RoundDown(target.SqrtPriceBoundX96), repositioned.SqrtPriceLowX96);
        Assert.Equal(new BigInteger(2500), repositioned.FeePips);
        Assert.Equal(after.Reserve0, repositioned.Reserve0);
        Assert.Equal(after.Reserve1, repositioned.Reserve1);
    }
}
