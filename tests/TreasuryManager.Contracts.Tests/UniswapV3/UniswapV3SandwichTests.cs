using System.Numerics;
using TreasuryManager.Contracts.Tests.Support;
using TreasuryManager.Testing;
using Xunit.Abstractions;
using E = TreasuryManager.Contracts.Bindings.UniswapV3PositionManager.Errors;

namespace TreasuryManager.Contracts.Tests.UniswapV3;

/// <summary>
/// A sandwich around the vault's v3 re-range: front-run swap, keeper rebalance, back-run swap, with the vault's position the
/// pool's only liquidity — the attacker's profit, valued at the oracle, is bounded by the policy as on the ManagedPool path.
/// </summary>
/// <remarks>
/// Valued at the oracle price Po = s² (s the oracle's sqrt price), a swap along liquidity L from sqrt price a to b takes
/// from the LP at most L·(s − a)²/a (SandwichAttackTests derives it: the loss is concave in b with its maximum at b = s).
/// The attacker trades only against the vault's position: the front-run moves the price from P0 to Pa through the old
/// liquidity L, the rebalance burns and re-mints at the spot Pa (it moves no price), the back-run returns through the new
/// liquidity L'. So profit ≤ L·(s − √P0)²/√P0 + L'·(s − √Pa)²/√Pa. The policy bounds both: P0, the price the pool held, is
/// within maxTwapDeviationBps of Po (TwapTickDeviation), and the mint happens only with the spot Pa within
/// maxTwapDeviationBps of Po (SpotPriceDeviation). With a pool at the oracle, the first term is ~0 and the attacker gains at
/// most L'·s·g(δ), g(δ) = (1 − √(1−δ))²/√(1−δ) ≈ δ²/4 ≈ 1.02e-4 for 200 bps — before the fees he pays both ways.
/// </remarks>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class UniswapV3SandwichTests(LocalNodeFixture node, ITestOutputHelper output) : UniswapV3Test(node)
{
    private static readonly BigInteger Q96 = BigInteger.One << 96;

    private static BigInteger Sqrt(BigInteger n)
    {
        if (n < 2) return n;
        var x = (BigInteger)Math.Sqrt((double)n);
        while (x * x > n) x--;
        while ((x + 1) * (x + 1) <= n) x++;
        return x;
    }

    private static BigInteger CeilDiv(BigInteger a, BigInteger b) => (a + b - 1) / b;

    /// <summary>⌈L·(s − a)²/(a·2^96)⌉ quote units: the most a swap starting at sqrt price a takes from liquidity L at oracle sqrt price s.</summary>
    private static BigInteger ArbitrageBound(BigInteger liquidity, BigInteger a, BigInteger s) => CeilDiv(liquidity * (s - a) * (s - a), a * Q96);

    private async Task<(BigInteger Base, BigInteger Quote)> TraderAsync() =>
        (await D.Base.BalanceOfAsync(D.Trader.Address), await S.V3.Quote.BalanceOfAsync(D.Trader.Address));

    [Fact]
    public async Task A_sandwich_around_a_v3_rebalance_profits_at_most_the_policy_bound()
    {
        await S.RemoveThirdPartyAsync();
        await S.ReadyAsync();
        var priceX128 = await S.Manager.OraclePriceX128Async(S.Pool.Address);
        var s = Sqrt(priceX128 << 64);
        var p0 = (await S.Pool.Slot0Async()).SqrtPriceX96;
        var oldLiquidity = (await S.Manager.PositionOfAsync(S.Pool.Address)).Liquidity;
        var start = await TraderAsync();

        // front-run: push the spot 1.9% down (just inside the 200 bps spot bound)
        await S.SwapToAsync(D.SqrtPriceX96(UniswapV3Security.Price * 0.981m));
        var pa = (await S.Pool.Slot0Async()).SqrtPriceX96;
        await S.Manager.RebalanceAsync(D.Keeper, S.Pool.Address, S.DefaultTarget);
        var newLiquidity = (await S.Manager.PositionOfAsync(S.Pool.Address)).Liquidity;
        // back-run: back to the oracle price
        await S.SwapToAsync(s);
        var end = await TraderAsync();

        var profit = end.Quote - start.Quote + ((end.Base - start.Base) * priceX128 >> 128);
        var bound = ArbitrageBound(oldLiquidity, p0, s) + ArbitrageBound(newLiquidity, pa, s);
        var r = Math.Sqrt(1 - 0.02);
        var policyBound = (BigInteger)((double)(newLiquidity * s / Q96) * ((1 - r) * (1 - r) / r)) + ArbitrageBound(oldLiquidity, p0, s) + 1;
        output.WriteLine($"profit {profit} quote units, curve bound {bound}, policy bound {policyBound}, L {oldLiquidity} → {newLiquidity}");
        Assert.True(profit <= bound, $"profit {profit} > curve bound {bound}");
        Assert.True(profit <= policyBound, $"profit {profit} > policy bound {policyBound}");
        Assert.True(bound <= policyBound, "the spot bound caps the curve bound");
    }

    [Fact]
    public async Task A_front_run_beyond_the_spot_bound_makes_the_rebalance_revert_instead()
    {
        await S.RemoveThirdPartyAsync();
        await S.ReadyAsync();
        await S.SwapToAsync(D.SqrtPriceX96(UniswapV3Security.Price * 0.975m));
        var reason = await S.AssertRebalanceRejectedAsync(S.DefaultTarget, E.SpotPriceDeviation);
        Assert.True(reason.Arg("deviationBps") > reason.Arg("maxBps"));
    }
}
