using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Contracts.Tests.Support;
using TreasuryManager.Models.Curve;
using TreasuryManager.Testing;
using Xunit.Abstractions;

namespace TreasuryManager.Contracts.Tests.Invariants;

/// <summary>
/// Round trips through a range edge, on chain: a pool whose reserves hold more of one token than its liquidity uses
/// (a deposit not fitted to the range, or fees) must not let a trader who pushes the price onto the edge and swaps
/// back take that surplus.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class EdgeRoundTripTests(LocalNodeFixture node, ITestOutputHelper output) : NodeTest(node)
{
    public static TheoryData<bool> Directions => new() { true, false };

    [Theory]
    [MemberData(nameof(Directions))]
    public async Task A_round_trip_through_the_range_edge_returns_no_more_than_it_put_in(bool towardsUpperEdge)
    {
        // 6/18 decimals at 1500 on [1200, 1900]; the deposit leaves a surplus of quote (upper edge case) or of base.
        var d = await TreasuryDeployment.DeployAsync(Node, new DeploymentSettings
        {
            BaseDecimals = 6, QuoteDecimals = 18, Price = 1500m, PriceLow = 1200m, PriceHigh = 1900m, FeePips = 500,
            DepositBase = towardsUpperEdge ? 100m : 120m, DepositQuote = towardsUpperEdge ? 150_000m : 100_000m,
            TraderBase = 1_000m, TraderQuote = 1_500_000m,
        });
        var zeroForOne = !towardsUpperEdge;
        var before = PoolMirror(await d.Pool.GetStateAsync());
        var amount = (zeroForOne ? before.Reserve0 : before.Reserve1) * 2; // past the edge: the swap stops on it
        var there = Assert.Single(ManagedPool.SwapEvents(await d.SwapAsync(zeroForOne, amount)));
        var atEdge = PoolMirror(await d.Pool.GetStateAsync());
        Assert.Equal(zeroForOne ? atEdge.SqrtPriceLowX96 : atEdge.SqrtPriceHighX96, atEdge.SqrtPriceX96);
        var back = Assert.Single(ManagedPool.SwapEvents(await d.SwapAsync(!zeroForOne, there.AmountOut)));
        output.WriteLine($"L {before.Liquidity} before, {atEdge.Liquidity} on the edge; put in {there.AmountIn}, got back {back.AmountOut}");
        Assert.True(back.AmountOut <= there.AmountIn, $"round trip through the edge put in {there.AmountIn} and got {back.AmountOut} back (L {before.Liquidity} -> {atEdge.Liquidity} on the edge)");
    }

    private static Models.Curve.PoolState PoolMirror(ManagedPool.PoolState s) => Differential.PoolMirror.ToModel(s);
}
