using System.Numerics;
using CsCheck;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Keeper.Cycle;
using TreasuryManager.Keeper.Execution;
using TreasuryManager.Models.Curve;
using TreasuryManager.Models.Policy;
using V3TickMath = TreasuryManager.Models.UniswapV3.TickMath;

namespace TreasuryManager.Keeper.Tests;

/// <summary>The v3 venue's pure pieces: the tick rounding's properties, the mean tick, the same-range rule and the swap's bounds.</summary>
public sealed class UniswapV3VenueTests
{
    private static readonly int[] Spacings = [1, 10, 60, 200];

    /// <summary>A target range as two sqrt prices (ticks anywhere in Uniswap's range, plus a sub-tick offset), and a spacing.</summary>
    private static readonly Gen<(BigInteger Low, BigInteger High, int Spacing)> Targets =
        Gen.Select(Gen.Int[V3TickMath.MinTick, V3TickMath.MaxTick - 1], Gen.Int[0, 20_000], Gen.Int[0, 3], Gen.Long[0, 1_000_000])
            .Select(t =>
            {
                var lowTick = t.Item1;
                var highTick = (int)Math.Min((long)lowTick + t.Item2, V3TickMath.MaxTick - 1);
                // a price strictly between two ticks: the sqrt at the tick plus a fraction of the step to the next
                BigInteger Inside(int tick)
                {
                    var a = V3TickMath.GetSqrtRatioAtTick(tick);
                    var b = V3TickMath.GetSqrtRatioAtTick(tick + 1);
                    return a + (b - a) * t.Item4 / 1_000_000;
                }
                return (Inside(lowTick), Inside(highTick), Spacings[t.Item3]);
            });

    [Fact]
    public void RoundOutward_gives_multiples_of_the_spacing_containing_the_target_within_Uniswaps_bounds()
    {
        Targets.Sample(t =>
        {
            var r = UniswapV3Venue.RoundOutward(t.Low, t.High, t.Spacing);
            var (min, max) = V3TickMath.UsableTicks(t.Spacing);
            Assert.Equal(0, r.Lower % t.Spacing);
            Assert.Equal(0, r.Upper % t.Spacing);
            Assert.True(r.Lower < r.Upper, $"{r} is empty");
            Assert.True(r.Lower >= min && r.Upper <= max, $"{r} outside [{min}, {max}]");
            Assert.True(r.Lower >= V3TickMath.MinTick && r.Upper <= V3TickMath.MaxTick);
            // contains the target (clipped to the usable ticks)
            var usableLow = V3TickMath.GetSqrtRatioAtTick(min);
            var usableHigh = V3TickMath.GetSqrtRatioAtTick(max);
            Assert.True(r.SqrtLowerX96 <= BigInteger.Max(t.Low, usableLow), $"{r} starts above the target's low end");
            Assert.True(r.SqrtUpperX96 >= BigInteger.Min(t.High, usableHigh), $"{r} ends below the target's high end");
            // the narrowest such: one spacing less on either side no longer contains it
            if (r.Lower + t.Spacing < r.Upper && r.Lower > min)
                Assert.True(V3TickMath.GetSqrtRatioAtTick(r.Lower + t.Spacing) > t.Low || r.Upper - r.Lower == t.Spacing);
            if (r.Upper - t.Spacing > r.Lower && r.Upper < max)
                Assert.True(V3TickMath.GetSqrtRatioAtTick(r.Upper - t.Spacing) < t.High || r.Upper - r.Lower == t.Spacing);
            // so the vault's width of the rounded range is at least the target's (the policy's minimum stays met)
            if (t.Low >= usableLow && t.High <= usableHigh && t.High > t.Low)
                Assert.True(VaultPolicyMath.WidthBps(r.SqrtUpperX96, r.SqrtLowerX96) >= VaultPolicyMath.WidthBps(t.High, t.Low));
        });
    }

    [Fact]
    public void Choose_prefers_the_outward_rounding_then_the_fewest_spacings_moved_widenings_before_narrowings()
    {
        Targets.Where(t => t.Low > V3TickMath.GetSqrtRatioAtTick(-800_000) && t.High < V3TickMath.GetSqrtRatioAtTick(800_000)).Sample(t =>
        {
            var outward = UniswapV3Venue.RoundOutward(t.Low, t.High, t.Spacing);
            Assert.Equal(outward, UniswapV3Venue.Choose(t.Low, t.High, t.Spacing, _ => true));
            // a rule the outward rounding fails and only a widening below meets: one spacing lower, the upper end kept
            var chosen = UniswapV3Venue.Choose(t.Low, t.High, t.Spacing, r => r != outward && r.Lower < outward.Lower);
            Assert.Equal(outward.Lower - t.Spacing, chosen.Lower);
            Assert.Equal(outward.Upper, chosen.Upper);
            Assert.Equal(outward, UniswapV3Venue.Choose(t.Low, t.High, t.Spacing, _ => false));
            // a rounding wider than the policy allows: one end taken in by a spacing, the one leaving the centre nearer the target's
            if (outward.Upper - outward.Lower > t.Spacing)
            {
                var narrower = UniswapV3Venue.Choose(t.Low, t.High, t.Spacing, r => r.Upper - r.Lower < outward.Upper - outward.Lower);
                Assert.Equal(outward.Upper - outward.Lower - t.Spacing, narrower.Upper - narrower.Lower);
                Assert.True(narrower.Lower == outward.Lower + t.Spacing || narrower.Upper == outward.Upper - t.Spacing);
            }
        });
    }

    [Fact]
    public void The_mean_tick_rounds_toward_negative_infinity_as_the_manager_does()
    {
        Assert.Equal(10, UniswapV3Venue.MeanTick([BigInteger.Zero, new BigInteger(6_000)], 600));
        Assert.Equal(10, UniswapV3Venue.MeanTick([BigInteger.Zero, new BigInteger(6_599)], 600));
        Assert.Equal(-11, UniswapV3Venue.MeanTick([BigInteger.Zero, new BigInteger(-6_001)], 600));
        Assert.Equal(-10, UniswapV3Venue.MeanTick([new BigInteger(100), new BigInteger(-5_900)], 600));
        Assert.Throws<ArgumentException>(() => UniswapV3Venue.MeanTick([BigInteger.One], 600));
    }

    [Fact]
    public void A_tick_price_in_the_vaults_log_units_is_the_coarse_log_of_its_price()
    {
        foreach (var tick in new[] { -269_400, -60, 0, 60, 100_000 })
        {
            var sqrt = V3TickMath.GetSqrtRatioAtTick(tick);
            Assert.Equal(Models.Curve.LogMath.CoarseLogPriceFromPriceX128(sqrt * sqrt >> 64), UniswapV3Venue.LogPriceOfTick(tick));
        }
        // one tick is 1 bp of price: the log distance of 200 ticks is about the vault's bound for 200 bps
        var d = UniswapV3Venue.LogPriceOfTick(200) - UniswapV3Venue.LogPriceOfTick(0);
        var bound = VaultPolicyMath.MaxTwapDeviationLog(200);
        Assert.InRange((double)d / (double)bound, 0.99, 1.01);
    }

    [Fact]
    public void Same_range_is_within_a_tenth_of_the_targets_width_at_both_ends()
    {
        var target = new TickRange(-1_200, 1_200); // width 2,400 ticks: tolerance 240
        Assert.True(UniswapV3Venue.SameRange(new TickRange(-1_200, 1_200), target));
        Assert.True(UniswapV3Venue.SameRange(new TickRange(-1_440, 960), target));
        Assert.False(UniswapV3Venue.SameRange(new TickRange(-1_500, 1_200), target));
        Assert.False(UniswapV3Venue.SameRange(new TickRange(-1_200, 1_500), target));
    }

    /// <summary>Holdings, the oracle at price 2.0 (18/6 decimals: raw 2e-12), a target share and a fraction of the gap.</summary>
    private static readonly Gen<(BigInteger Base, BigInteger Quote, int Target, double Fraction)> Holdings =
        Gen.Select(Gen.Long[0, 1_000_000], Gen.Long[0, 2_000_000], Gen.Int[1_000, 9_000], Gen.Double[0.1, 1.0])
            .Select(h => (new BigInteger(h.Item1) * BigInteger.Pow(10, 18), new BigInteger(h.Item2) * BigInteger.Pow(10, 6), h.Item3, h.Item4));

    [Fact]
    public void The_swap_moves_the_share_toward_the_target_never_past_it_and_within_the_holdings()
    {
        var priceX128 = VaultPolicyMath.PriceX128(200_000_000, 6 - 18 - 8)!.Value; // 2.00000000 from an 8-decimal feed
        var spot = Uint.Sqrt(priceX128 << 64);
        var liquidity = BigInteger.Pow(10, 30); // ample other liquidity: the gap, not the impact cap, sizes the swap
        Holdings.Sample(h =>
        {
            var before = VaultPolicyMath.BaseShareBps(h.Base, h.Quote, priceX128);
            var swap = UniswapV3Venue.SwapToward(h.Base, h.Quote, priceX128, spot, h.Target, h.Fraction, liquidity, 3000, 100);
            if (swap is null) return;
            Assert.True(swap.AmountIn > 0);
            Assert.True(swap.AmountIn <= (swap.ZeroForOne ? h.Base : h.Quote), "a swap beyond the holdings (the manager's SwapExceedsHoldings)");
            Assert.Equal(before > h.Target, swap.ZeroForOne); // sells base only when above the target
            Assert.True(swap.ZeroForOne ? swap.ShareAfterBps >= h.Target && swap.ShareAfterBps <= before : swap.ShareAfterBps <= h.Target && swap.ShareAfterBps >= before,
                $"share {before} → {swap.ShareAfterBps} bps past the target {h.Target}");
        });
    }

    [Fact]
    public void No_swap_without_other_liquidity_or_room_under_the_slippage_bound()
    {
        var priceX128 = VaultPolicyMath.PriceX128(200_000_000, 6 - 18 - 8)!.Value;
        var spot = Uint.Sqrt(priceX128 << 64);
        var quoteOnly = (BigInteger.Zero, new BigInteger(1_000_000) * BigInteger.Pow(10, 6));
        Assert.Null(UniswapV3Venue.SwapToward(quoteOnly.Item1, quoteOnly.Item2, priceX128, spot, 5_000, 0.9, BigInteger.Zero, 3000, 100));
        Assert.Null(UniswapV3Venue.SwapToward(quoteOnly.Item1, quoteOnly.Item2, priceX128, spot, 5_000, 0.9, BigInteger.Pow(10, 30), 10_000, 100)); // 1% fee ≥ half of 1%
        var capped = UniswapV3Venue.SwapToward(quoteOnly.Item1, quoteOnly.Item2, priceX128, spot, 5_000, 0.9, BigInteger.Pow(10, 15), 3000, 100);
        Assert.NotNull(capped);
        // through L = 1e15 the price may move (0.5% − 0.3%) = 20 bps: Δ√P·L = amount1, √(1.002) − 1 ≈ 0.0009995 of √P
        var sqrtP = (double)spot / Math.Pow(2, 96);
        Assert.InRange((double)capped.AmountIn, 1e15 * sqrtP * 0.00099, 1e15 * sqrtP * 0.001);
        // the spot 30 bps above the oracle: buying base there leaves no room (50 − 30 fee − 30), selling it more (50 − 30 + 0)
        var above = Uint.Sqrt((priceX128 * 10_030 / 10_000) << 64);
        Assert.Null(UniswapV3Venue.SwapToward(quoteOnly.Item1, quoteOnly.Item2, priceX128, above, 5_000, 0.9, BigInteger.Pow(10, 30), 3000, 100));
        var baseOnly = new BigInteger(1_000_000) * BigInteger.Pow(10, 18);
        Assert.True(UniswapV3Venue.SwapToward(baseOnly, BigInteger.Zero, priceX128, above, 5_000, 0.9, BigInteger.Pow(10, 30), 3000, 100) is { ZeroForOne: true });
    }

    [Fact]
    public void The_revert_explainer_names_the_managers_own_errors_with_their_arguments()
    {
        var data = UniswapV3PositionManager.Abi.GetError("InvalidTickRange").Encode(new BigInteger(-270_421), new BigInteger(-268_380), new BigInteger(60));
        var line = RevertExplainer.Explain(new ExecutionRevertedException("execution reverted", "eth_call", 3, "execution reverted", null, data));
        Assert.Contains("InvalidTickRange", line, StringComparison.Ordinal);
        Assert.Contains("-270421", line, StringComparison.Ordinal);
        var past = UniswapV3PositionManager.Abi.GetError("SwapPastTarget").Encode(false, new BigInteger(100), new BigInteger(5_100), new BigInteger(5_000));
        Assert.Contains("SwapPastTarget", RevertExplainer.Explain(new ExecutionRevertedException("execution reverted", "eth_call", 3, "execution reverted", null, past)), StringComparison.Ordinal);
    }

    [Fact]
    public void The_treasurys_part_of_a_shared_pools_swaps_is_its_liquidity_share_inside_its_range()
    {
        var position = new UniswapV3PositionManager.PositionView(true, 60, -600, 600, new BigInteger(250), 0, 0, 0);
        UniswapV3Venue.PoolSwap Swap(int tick, long liquidity) =>
            new(new Strategy.Inputs.SwapSeen(7, true, new BigInteger(1_000), new BigInteger(2_000), BigInteger.One << 96), new BigInteger(liquidity), tick);
        var part = UniswapV3Venue.TreasuryPart([Swap(0, 1_000), Swap(600, 1_000), Swap(-601, 1_000), Swap(-600, 250)], position);
        Assert.Equal(2, part.Count); // tick 600 is the upper end (outside, as Uniswap's ranges), −601 below
        Assert.Equal((new BigInteger(250), new BigInteger(500)), (part[0].AmountIn, part[0].AmountOut)); // a quarter of the active liquidity
        Assert.Equal((new BigInteger(1_000), new BigInteger(2_000)), (part[1].AmountIn, part[1].AmountOut)); // all of it
        Assert.True(part.All(p => p.ZeroForOne && p.BlockNumber == 7));
        Assert.Empty(UniswapV3Venue.TreasuryPart([Swap(0, 1_000)], position with { Liquidity = 0 }));
    }

    /// <summary>
    /// At a balanced inventory (the share at its target: the skew-direction rule allows no skew from the inventory) a
    /// re-range centred on any oracle price finds a range the manager accepts: its centre can sit only on half-spacing
    /// steps, and the manager passes half a spacing of skew either way (GuardMath.gridSkewToleranceBps). Before that
    /// tolerance the keeper could not re-range a balanced position unless the oracle sat on a grid point.
    /// </summary>
    [Fact]
    public void A_balanced_position_can_be_re_ranged_around_any_oracle_price()
    {
        var policy = new Strategy.Inputs.PoolPolicy(3600, false, 600, 200, BigInteger.One, MaxSkewBps: 200, MinFeePips: 0, MaxFeePips: 10_000,
            MinWidthBps: 1, MaxWidthBps: 10_000_000, MinRebalanceIntervalSeconds: 60, MinBaseShareBps: 1_000, MaxBaseShareBps: 9_000, PriceScaleExp: 0);
        Gen.Select(Gen.Int[-400_000, 400_000], Gen.Long[0, 999_999], Gen.Int[0, 3], Gen.Int[2, 20]).Sample(t =>
        {
            var (tick, fraction, spacing, halfSpacings) = (t.Item1, t.Item2, Spacings[t.Item3], t.Item4);
            BigInteger Sqrt(int at) => V3TickMath.GetSqrtRatioAtTick(at);
            var oracleSqrt = Sqrt(tick) + (Sqrt(tick + 1) - Sqrt(tick)) * fraction / 1_000_000;
            var priceX128 = oracleSqrt * oracleSqrt >> 64;
            var halfWidth = halfSpacings * spacing;
            bool Accepts(TickRange r) => UniswapV3Venue.PolicyAccepts(r, spacing, policy, priceX128, 5_000);
            var range = UniswapV3Venue.Choose(Sqrt(tick - halfWidth), Sqrt(tick + halfWidth), spacing, Accepts);
            return Accepts(range);
        }, iter: 2_000);
    }
}
