using TreasuryManager.Models.Policy;
using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Tests.Support;
using TreasuryManager.Testing;
using Xunit.Abstractions;
using TreasuryManager.Models.Curve;

namespace TreasuryManager.Contracts.Tests.Security;

/// <summary>
/// A sandwich around a rebalance: front-run swap, keeper rebalance, back-run swap — the attacker's profit, valued in quote
/// at the oracle price, is bounded by the policy's deviation limits and the pool's depth; a front-run beyond the limits
/// makes the rebalance revert instead.
/// </summary>
/// <remarks>
/// <para><b>The bound.</b> Let s = √Po (oracle), L the pool's liquidity. A swap moves the price along the curve from √a to √b
/// with Δx = L(1/√b − 1/√a) and Δy = L(√b − √a) into the pool (fee-free part). Valued at Po, the pool's loss is
/// <c>loss(a→b) = −(Po·Δx + Δy) = L(√b − √a)(s² − √a√b)/(√a√b)</c>. As a function of v = √b,
/// d loss/dv = s²/v² − 1 and d² loss/dv² = −2s²/v³ &lt; 0: it is concave with its maximum at v = s, so for any swap starting at a,
/// <c>loss(a→b) ≤ L(s − √a)²/√a</c> (the whole arbitrage of price a against the oracle). The fee only adds to the pool, and
/// the pool rounds in its favour, so they only lower the attacker's profit.</para>
/// <para>The attacker's tokens change only against the pool (a rebalance moves no token: it only moves the price from the
/// front-run's end price to the keeper's centre C and refits L to L'), so his profit is the pool's loss:
/// <c>profit ≤ L·(s − √P0)²/√P0 + L'·(s − √C)²/√C</c>, with P0 the pool's price before the front-run and C the new centre.</para>
/// <para>The policy bounds both terms: C is within maxSkewBps of Po (SkewTooLarge otherwise), and a pool price P0 that held
/// over the TWAP window is within maxTwapDeviationBps of Po (TwapDeviation otherwise; a same-block front-run does not move
/// the TWAP). With √P = s·r, (s − √P)²/√P = s·(1 − r)²/r, largest at the low end r = √(1 − δ):
/// <c>profit ≤ s·(L·g(δ_twap) + L'·g(δ_skew))</c>, g(δ) = (1 − √(1−δ))²/√(1−δ) ≈ δ²/4. For 200 bps each, g ≈ 1.0204e-4: the
/// attacker gains at most about 0.01% of L·s (≈ the pool's quote-side depth) per rebalance. With an honest keeper (C = Po)
/// and a pool at the oracle (P0 = Po), the bound is 0: the sandwich cannot profit at all.</para>
/// </remarks>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class SandwichAttackTests(LocalNodeFixture node, ITestOutputHelper output) : SecurityTest(node)
{
    private const int PriceScaleExp = 6 - 18 - 8;
    private static readonly BigInteger Q96 = BigInteger.One << 96;

    private static BigInteger CeilDiv(BigInteger a, BigInteger b) => (a + b - 1) / b;

    /// <summary>⌈L·(s − a)²/(a·2^96)⌉ in quote units: the most a swap starting at sqrt price a can take from the pool at oracle sqrt price s (Q96).</summary>
    private static BigInteger ArbitrageBound(BigInteger liquidity, BigInteger a, BigInteger s) =>
        CeilDiv(liquidity * (s - a) * (s - a), a * Q96);

    /// <summary>g(δ) = (1 − √(1−δ))²/√(1−δ) for δ in bps.</summary>
    private static double G(int bps)
    {
        var r = Math.Sqrt(1 - bps / 10_000.0);
        return (1 - r) * (1 - r) / r;
    }

    private async Task<(BigInteger Base, BigInteger Quote)> BalancesAsync() =>
        (await D.Base.BalanceOfAsync(D.Trader.Address), await D.Quote.BalanceOfAsync(D.Trader.Address));

    /// <summary>Δquote + Δbase·Po in quote units (Po as the vault's Q128.128 price; floor toward −∞ is within one unit).</summary>
    private static BigInteger Profit((BigInteger Base, BigInteger Quote) before, (BigInteger Base, BigInteger Quote) after, BigInteger priceX128) =>
        after.Quote - before.Quote + ((after.Base - before.Base) * priceX128 >> 128);

    [Fact]
    public async Task A_sandwich_around_a_skewed_rebalance_profits_at_most_the_policy_bound()
    {
        // The oracle moves to 2.03 while the pool sits at 2.0 (TWAP 1.5% off: allowed). The keeper (stolen key: the
        // worst case) centres the pool 1.98% above the oracle, just inside the skew limit, at the minimum fee.
        const long answer = 203_000_000;
        await S.ReadyToRebalanceAsync(answer);
        var po = VaultPolicyMath.PriceX128(answer, PriceScaleExp)!.Value;
        var s = D.SqrtPriceX96(2.03m);
        var state0 = await D.Pool.GetStateAsync();
        // the pool's price before the front-run is within the TWAP limit of the oracle (it held over the whole window)
        Assert.True(VaultPolicyMath.SkewBps(state0.SqrtPriceX96, po) <= 200);
        var start = await BalancesAsync();

        // front-run: buy base up to the oracle price (the arbitrage the stale pool offers)
        var front = await D.SwapToSqrtPriceAsync(s);
        var target = S.Target(2.0703m, 1.9668m, 500);
        Assert.InRange(VaultPolicyMath.SkewBps(target.SqrtPriceX96, po), new BigInteger(190), new BigInteger(200));
        // the inventory bounds that let the vault take this skew (it must steer toward the target share): the worst case
        await S.PermitSkewAsync(+1);
        await D.Vault.RebalanceAsync(D.Keeper, D.Pool.Address, target);
        var state1 = await D.Pool.GetStateAsync();
        Assert.Equal(SqrtPriceGrid.RoundDown(target.SqrtPriceX96), state1.SqrtPriceX96); // the pool's grid
        // back-run: sell base from the keeper's centre down to the oracle price
        var back = await D.SwapToSqrtPriceAsync(s);
        var end = await BalancesAsync();

        var profit = Profit(start, end, po);
        var geometric = ArbitrageBound(state0.Liquidity, state0.SqrtPriceX96, s) + ArbitrageBound(state1.Liquidity, state1.SqrtPriceX96, s);
        var policy = (double)s / (double)Q96 * ((double)state0.Liquidity * G(200) + (double)state1.Liquidity * G(200));
        output.WriteLine($"front-run: {front.AmountIn} quote in -> {front.AmountOut} base out; back-run: {back.AmountIn} base in -> {back.AmountOut} quote out");
        output.WriteLine($"L = {state0.Liquidity}, L' = {state1.Liquidity}; profit = {profit} quote units; geometric bound = {geometric}; policy bound = {policy:F0}");

        Assert.True(profit > 0, $"the skewed rebalance should be exploitable a little (profit {profit})");
        Assert.True(profit <= geometric, $"profit {profit} > geometric bound {geometric}");
        Assert.True((double)geometric <= policy, $"geometric bound {geometric} > policy bound {policy}");
    }

    /// <summary>oracle move from the pool's 2.0 (bps), keeper's skew from the oracle (bps), front-run size (% of the way to the oracle price).</summary>
    [Theory]
    [InlineData(150, 199, 100)]
    [InlineData(150, -199, 100)]
    [InlineData(-150, -199, 100)]
    [InlineData(-150, 199, 50)]
    [InlineData(100, 150, 120)]
    [InlineData(0, 199, 0)]
    [InlineData(0, 0, 100)]
    [InlineData(-120, 0, 30)]
    public async Task Any_sandwich_stays_within_the_bound(int oracleBps, int skewBps, int frontPercent)
    {
        var answer = new BigInteger(20_000) * (10_000 + oracleBps);
        await S.ReadyToRebalanceAsync(answer);
        var po = VaultPolicyMath.PriceX128(answer, PriceScaleExp)!.Value;
        var oracleHuman = 2.0m * (10_000 + oracleBps) / 10_000;
        var s = D.SqrtPriceX96(oracleHuman);
        var state0 = await D.Pool.GetStateAsync();
        var start = await BalancesAsync();

        if (frontPercent != 0 && oracleBps != 0)
            await D.SwapToSqrtPriceAsync(D.SqrtPriceX96(2.0m + (oracleHuman - 2.0m) * frontPercent / 100));
        var centre = oracleHuman * (10_000 + skewBps) / 10_000;
        var target = S.Target(centre, centre * 0.95m, 500);
        Assert.True(VaultPolicyMath.SkewBps(target.SqrtPriceX96, po) <= 200);
        if (skewBps != 0) await S.PermitSkewAsync(skewBps); // the worst case: inventory bounds that allow this skew
        await D.Vault.RebalanceAsync(D.Keeper, D.Pool.Address, target);
        var state1 = await D.Pool.GetStateAsync();
        if (skewBps != 0) await D.SwapToSqrtPriceAsync(s);

        var profit = Profit(start, await BalancesAsync(), po);
        var geometric = ArbitrageBound(state0.Liquidity, state0.SqrtPriceX96, s) + ArbitrageBound(state1.Liquidity, state1.SqrtPriceX96, s);
        var policy = (double)s / (double)Q96 * ((double)state0.Liquidity * G(200) + (double)state1.Liquidity * G(200));
        output.WriteLine($"oracle {oracleBps:+0;-0} bps, skew {skewBps:+0;-0} bps, front-run {frontPercent}%: profit {profit}, geometric bound {geometric}, policy bound {policy:F0} (quote units)");
        Assert.True(profit <= geometric, $"profit {profit} > geometric bound {geometric}");
        Assert.True((double)geometric <= policy, $"geometric bound {geometric} > policy bound {policy}");
    }

    [Fact]
    public async Task With_an_honest_keeper_the_sandwich_loses()
    {
        // Pool and oracle at 2.0: the bound is 0. The attacker dumps base to 1.84 (−8%) right before the rebalance — one
        // second of TWAP, so the rebalance still passes — the keeper centres on the oracle, the attacker buys back.
        await S.ReadyToRebalanceAsync();
        var po = VaultPolicyMath.PriceX128(200_000_000, PriceScaleExp)!.Value;
        var start = await BalancesAsync();
        var front = await D.SwapToSqrtPriceAsync(D.SqrtPriceX96(1.84m));
        await D.Vault.RebalanceAsync(D.Keeper, D.Pool.Address, S.DefaultTarget);
        Assert.Equal(SqrtPriceGrid.RoundDown(S.DefaultTarget.SqrtPriceX96), (await D.Pool.GetStateAsync()).SqrtPriceX96);
        await D.SwapAsync(false, front.AmountOut); // spend the quote received buying base back
        var profit = Profit(start, await BalancesAsync(), po);
        output.WriteLine($"honest keeper: profit = {profit} quote units");
        Assert.True(profit < 0, $"profit {profit}");
    }

    [Fact]
    public async Task A_front_run_held_over_the_window_makes_the_rebalance_revert_with_TwapDeviation()
    {
        // The attacker pushes the pool to 1.84 (−8%) and holds it 250 s of the 600 s window: the pool's TWAP is then
        // ≈ 3.5% off the oracle (> 2%), so even the honest, oracle-centred rebalance is refused — nothing executes.
        await D.IncreaseTimeAsync(400);
        await D.SwapToSqrtPriceAsync(D.SqrtPriceX96(1.84m));
        await D.IncreaseTimeAsync(250);
        await D.Oracle.UpdateAsync(D.Reporter, 200_000_000, 65_000_000);
        var reason = await S.AssertRebalanceRejectedAsync(S.DefaultTarget, TreasuryVault.Errors.TwapDeviation);
        Assert.True(reason.Arg("twapLogPrice") < reason.Arg("oracleLogPrice"));
    }

    [Fact]
    public async Task A_keeper_following_a_manipulated_spot_is_refused_with_SkewTooLarge()
    {
        // Right after a −8% front-run, a naive keeper centred on the pool's spot breaks the skew bound instead of locking
        // the manipulated price in.
        await S.ReadyToRebalanceAsync();
        await D.SwapToSqrtPriceAsync(D.SqrtPriceX96(1.84m));
        var spot = (await D.Pool.GetStateAsync()).SqrtPriceX96;
        var target = new TreasuryVault.Target(spot, spot * 95 / 100, 2500, 65535);
        var reason = await S.AssertRebalanceRejectedAsync(target, TreasuryVault.Errors.SkewTooLarge);
        Assert.True(reason.Arg("skewBps") > 700);
    }
}
