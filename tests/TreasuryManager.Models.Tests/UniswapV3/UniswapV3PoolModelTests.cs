using System.Numerics;
using TreasuryManager.Models.Curve;
using TreasuryManager.Models.UniswapV3;

namespace TreasuryManager.Models.Tests.UniswapV3;

/// <summary>
/// <see cref="UniswapV3PoolModel"/> on hand-checkable cases: v3-core's own pool-test figures (test/UniswapV3Pool.spec.ts:
/// the 1:10 pool with 3161 full-range liquidity, mints above, inside and below the price), rounding directions of mint
/// and burn, tick crossing and liquidityNet, the bitmap's word edges, fee growth shared pro rata, price limits and
/// exact output, and every revert the pool has for bad input.
/// </summary>
public class UniswapV3PoolModelTests
{
    private const string Lp = "lp";
    private static readonly BigInteger E18 = BigInteger.Pow(10, 18);
    private static readonly FeeTier Medium = FeeTier.Medium;
    private static int MinTick => Medium.MinUsableTick;
    private static int MaxTick => Medium.MaxUsableTick;

    private static PositionKey At(int lower, int upper, string owner = Lp) => new(owner, lower, upper);

    /// <summary>v3-core's pool fixture: fee 0.3%, price 1:10, 3161 liquidity on the full range.</summary>
    private static UniswapV3PoolModel Fixture(out PositionAmounts paid)
    {
        var pool = UniswapV3PoolModel.Initialize(Medium, Uint.EncodeSqrtPrice(1, 10));
        (pool, paid) = pool.Mint(At(MinTick, MaxTick), 3161);
        return pool;
    }

    [Fact]
    public void The_v3_core_fixture_pays_9996_and_1000_at_tick_minus_23028()
    {
        var pool = Fixture(out var paid);
        Assert.Equal(new PositionAmounts(9996, 1000), paid);
        Assert.Equal(-23028, pool.Tick);
        Assert.Equal(3161, pool.Liquidity);
        Assert.Equal(new[] { MinTick, MaxTick }, pool.InitializedTicks);
        Assert.Equal(new TickInfo(3161, 3161, 0, 0), pool.TickAt(MinTick));
        Assert.Equal(new TickInfo(3161, -3161, 0, 0), pool.TickAt(MaxTick));
    }

    [Fact]
    public void Mint_above_the_price_takes_token0_only_and_leaves_the_active_liquidity()
    {
        var pool = Fixture(out _);
        var (after, paid) = pool.Mint(At(-22980, 0), 10_000);
        Assert.Equal(new PositionAmounts(21549, 0), paid);
        Assert.Equal(3161, after.Liquidity);
        Assert.Equal(new PositionAmounts(31549, 0), pool.Mint(At(-22980, MaxTick), 10_000).Paid);
        Assert.Equal(new PositionAmounts(828011525, 0), pool.Mint(At(MaxTick - Medium.TickSpacing, MaxTick), BigInteger.One << 102).Paid);
    }

    [Fact]
    public void Mint_around_the_price_takes_both_tokens_and_adds_to_the_active_liquidity()
    {
        var pool = Fixture(out _);
        var (after, paid) = pool.Mint(At(MinTick + Medium.TickSpacing, MaxTick - Medium.TickSpacing), 100);
        Assert.Equal(new PositionAmounts(317, 32), paid);
        Assert.Equal(3261, after.Liquidity);
    }

    [Fact]
    public void Mint_below_the_price_takes_token1_only()
    {
        var pool = Fixture(out _);
        Assert.Equal(new PositionAmounts(0, 2162), pool.Mint(At(-46080, -23040), 10_000).Paid);
    }

    [Fact]
    public void Burn_rounds_down_where_mint_rounded_up_and_collect_pays_what_is_owed()
    {
        var pool = Fixture(out _);
        var (minted, paid) = pool.Mint(At(-240, 0), 10_000);
        var (burnt, credited) = minted.Burn(At(-240, 0), 10_000);
        Assert.Equal(new PositionAmounts(121, 0), paid);
        Assert.Equal(new PositionAmounts(120, 0), credited);
        Assert.Equal(new PositionInfo(0, 0, 0, 120, 0), burnt.Position(At(-240, 0)));
        // the ticks flipped back to empty are cleared from the map and the bitmap
        Assert.Equal(new[] { MinTick, MaxTick }, burnt.InitializedTicks);
        Assert.False(burnt.Ticks.ContainsKey(-240));
        var (collected, amounts) = burnt.Collect(At(-240, 0), Uint.Max128, Uint.Max128);
        Assert.Equal(new CollectedAmounts(120, 0), amounts);
        Assert.Equal(new PositionInfo(0, 0, 0, 0, 0), collected.Position(At(-240, 0)));
        // collect pays at most what was requested and keeps the rest owed
        var (partial, some) = burnt.Collect(At(-240, 0), 100, 5);
        Assert.Equal(new CollectedAmounts(100, 0), some);
        Assert.Equal(20, partial.Position(At(-240, 0)).TokensOwed0);

        var below = pool.Mint(At(-46080, -46020), 10_000).Pool.Burn(At(-46080, -46020), 10_000);
        Assert.Equal(new PositionAmounts(0, 3), below.Credited);
    }

    [Fact]
    public void A_swap_inside_one_range_is_one_step_of_SwapMath_and_moves_the_fee_growth()
    {
        var pool = UniswapV3PoolModel.Initialize(Medium, Uint.EncodeSqrtPrice(101, 100));
        var l = E18 * 1000;
        (pool, _) = pool.Mint(At(-600, 600), l);
        var amount = E18;
        var (after, outcome) = pool.Swap(true, amount, TickMath.MinSqrtRatio + 1);
        // the next initialised tick below tick 99 is -600: inside the word, so one step reaches no tick
        var step = SwapMath.ComputeSwapStep(pool.SqrtPriceX96, TickMath.GetSqrtRatioAtTick(-600), l, amount, 3000);
        Assert.Equal(new SwapOutcome(amount, -step.AmountOut, step.SqrtPriceNextX96, l, TickMath.GetTickAtSqrtRatio(step.SqrtPriceNextX96)), outcome);
        Assert.Equal(step.AmountIn + step.FeeAmount, amount);
        Assert.Equal(step.FeeAmount * (BigInteger.One << 128) / l, after.FeeGrowthGlobal0X128);
        Assert.Equal(0, after.FeeGrowthGlobal1X128);
        // a poke credits the position ⌊growth·L/2^128⌋: the fee less at most one unit of rounding
        var owed = after.Burn(At(-600, 600), 0).Pool.Position(At(-600, 600)).TokensOwed0;
        Assert.InRange(owed, step.FeeAmount - 1, step.FeeAmount);
    }

    [Fact]
    public void Crossing_an_initialised_tick_applies_liquidityNet_and_flips_its_outside_fee_growth()
    {
        var pool = UniswapV3PoolModel.Initialize(Medium, Uint.Q96);
        (pool, _) = pool.Mint(At(-600, 600, "narrow"), 3 * E18);
        (pool, _) = pool.Mint(At(-6000, 6000, "wide"), E18);
        Assert.Equal(4 * E18, pool.Liquidity);
        Assert.Equal(3 * E18 + E18, pool.TickAt(-600).LiquidityGross + pool.TickAt(-6000).LiquidityGross);

        // down through -600: the narrow position's liquidity leaves
        var (down, outcome) = pool.Swap(true, E18 / 2, TickMath.GetSqrtRatioAtTick(-1200));
        Assert.Equal(E18, outcome.Liquidity);
        Assert.Equal(TickMath.GetSqrtRatioAtTick(-1200), outcome.SqrtPriceX96);
        Assert.Equal(-1200, outcome.Tick);
        Assert.True(outcome.Amount0 < E18 / 2, "the price limit stops the swap before the input is used");
        Assert.True(outcome.Amount1 < 0);
        // tick -600 was initialised at tick 0 (≥ it), so outside started at the global 0; crossing set it to the global
        // at that moment, which the fees earned below -600 then outgrew; tick -6000 was never crossed
        var outside = down.TickAt(-600).FeeGrowthOutside0X128;
        Assert.InRange(outside, BigInteger.One, down.FeeGrowthGlobal0X128 - 1);
        Assert.Equal(0, down.TickAt(-6000).FeeGrowthOutside0X128);
        // the narrow position earned only while the price was inside it; the wide one earned throughout
        var narrow = down.Burn(At(-600, 600, "narrow"), 0).Pool.Position(At(-600, 600, "narrow")).TokensOwed0;
        var wide = down.Burn(At(-6000, 6000, "wide"), 0).Pool.Position(At(-6000, 6000, "wide")).TokensOwed0;
        Assert.True(narrow > 0 && wide > narrow / 3, $"narrow {narrow}, wide {wide}");

        // and back up: the narrow liquidity returns at -600
        var (up, back) = down.Swap(false, -E18 / 4, TickMath.GetSqrtRatioAtTick(600));
        Assert.Equal(-E18 / 4, back.Amount0); // exact output: all of it paid
        Assert.Equal(4 * E18, back.Liquidity);
        Assert.True(back.Tick >= -600);
        Assert.True(back.Amount1 > 0, "token1 is paid in going up");
        Assert.Equal(up.Liquidity, back.Liquidity);
    }

    [Fact]
    public void The_bitmap_word_edge_ends_a_step_even_with_nothing_initialised()
    {
        var pool = UniswapV3PoolModel.Initialize(FeeTier.Lowest, Uint.Q96); // tick 0: the first bit of word 0
        Assert.Equal((0, false), pool.NextInitializedTickWithinOneWord(0, lte: true));
        Assert.Equal((255, false), pool.NextInitializedTickWithinOneWord(0, lte: false));
        Assert.Equal((-256, false), pool.NextInitializedTickWithinOneWord(-1, lte: true));
        (pool, _) = pool.Mint(At(-3, 300), E18);
        Assert.Equal((-3, true), pool.NextInitializedTickWithinOneWord(-1, lte: true));
        Assert.Equal((255, false), pool.NextInitializedTickWithinOneWord(0, lte: false));
        Assert.Equal((300, true), pool.NextInitializedTickWithinOneWord(256, lte: false));
        // spacing 60: compressed ticks floor toward −∞ (tick −1 is in compressed −1)
        var medium = UniswapV3PoolModel.Initialize(Medium, Uint.Q96);
        Assert.Equal((-256 * 60, false), medium.NextInitializedTickWithinOneWord(-1, lte: true));
        Assert.Equal((255 * 60, false), medium.NextInitializedTickWithinOneWord(-1, lte: false));

        // a 0→1 swap at tick 0 first steps onto tick 0's price (no move), then tick becomes −1
        var (after, outcome) = pool.Swap(true, 1000, TickMath.MinSqrtRatio + 1);
        Assert.True(outcome.Tick < 0);
        Assert.Equal(1000, outcome.Amount0);
        Assert.Equal(after.Tick, outcome.Tick);
    }

    [Fact]
    public void Exact_output_pays_exactly_the_amount_asked_and_exact_input_spends_it()
    {
        var pool = UniswapV3PoolModel.Initialize(FeeTier.Low, Uint.EncodeSqrtPrice(4, 1));
        (pool, _) = pool.Mint(At(-20_000, 40_000), 50 * E18);
        (pool, _) = pool.Mint(At(13_000, 15_000), 500 * E18);
        foreach (var zeroForOne in new[] { true, false })
        {
            var limit = zeroForOne ? TickMath.MinSqrtRatio + 1 : TickMath.MaxSqrtRatio - 1;
            var (_, exactOut) = pool.Swap(zeroForOne, -E18, limit);
            Assert.Equal(-E18, zeroForOne ? exactOut.Amount1 : exactOut.Amount0);
            var (_, exactIn) = pool.Swap(zeroForOne, E18, limit);
            Assert.Equal(E18, zeroForOne ? exactIn.Amount0 : exactIn.Amount1);
            // paying the exact-output swap's input as exact input buys at least the same output (rounding favours the pool)
            var paidIn = zeroForOne ? exactOut.Amount0 : exactOut.Amount1;
            var (_, again) = pool.Swap(zeroForOne, paidIn, limit);
            Assert.True(-(zeroForOne ? again.Amount1 : again.Amount0) >= E18 - 1);
        }
    }

    [Fact]
    public void Bad_inputs_revert_as_the_pool_and_change_nothing()
    {
        var pool = Fixture(out _);
        Assert.Equal("TLU", Assert.Throws<CurveMathException>(() => pool.Mint(At(60, 60), 1)).Reason);
        Assert.Equal("TLM", Assert.Throws<CurveMathException>(() => pool.Mint(At(TickMath.MinTick - 1, 0), 1)).Reason);
        Assert.Equal("TUM", Assert.Throws<CurveMathException>(() => pool.Mint(At(0, TickMath.MaxTick + 1), 1)).Reason);
        Assert.Equal("LO", Assert.Throws<CurveMathException>(() => pool.Mint(At(-60, 60), Medium.MaxLiquidityPerTick + 1)).Reason);
        Assert.Contains("spacing", Assert.Throws<CurveMathException>(() => pool.Mint(At(-61, 60), 1)).Reason, StringComparison.Ordinal);
        Assert.Contains("zero", Assert.Throws<CurveMathException>(() => pool.Mint(At(-60, 60), 0)).Reason, StringComparison.Ordinal);
        Assert.Equal("NP", Assert.Throws<CurveMathException>(() => pool.Burn(At(-60, 60), 0)).Reason);
        Assert.Equal("LS", Assert.Throws<CurveMathException>(() => pool.Burn(At(MinTick, MaxTick), 3162)).Reason);
        Assert.Equal("AS", Assert.Throws<CurveMathException>(() => pool.Swap(true, 0, TickMath.MinSqrtRatio + 1)).Reason);
        Assert.Equal("SPL", Assert.Throws<CurveMathException>(() => pool.Swap(true, 1, TickMath.MinSqrtRatio)).Reason);
        Assert.Equal("SPL", Assert.Throws<CurveMathException>(() => pool.Swap(true, 1, pool.SqrtPriceX96)).Reason);
        Assert.Equal("SPL", Assert.Throws<CurveMathException>(() => pool.Swap(false, 1, TickMath.MaxSqrtRatio)).Reason);
        Assert.Equal("SPL", Assert.Throws<CurveMathException>(() => pool.Swap(false, 1, pool.SqrtPriceX96 - 1)).Reason);
        Assert.Equal("amount", Assert.Throws<ArgumentOutOfRangeException>(() => pool.Mint(At(-60, 60), Uint.Max128 + 1)).ParamName);
        Assert.Equal("R", Assert.Throws<CurveMathException>(() => UniswapV3PoolModel.Initialize(Medium, TickMath.MaxSqrtRatio)).Reason);
        Assert.Equal("fee", Assert.Throws<ArgumentOutOfRangeException>(() => UniswapV3PoolModel.Initialize(new FeeTier(3000, 0), Uint.Q96)).ParamName);
        // the receiver is a value: none of the failures above changed it
        Assert.Equal(3161, pool.Liquidity);
        Assert.Equal(2, pool.Ticks.Count);
        Assert.Single(pool.Positions);
    }

    [Fact]
    public void Max_liquidity_per_tick_matches_v3_core_for_each_tier()
    {
        // Tick.spec.ts: tickSpacingToMaxLiquidityPerTick for 10 (0.05%), 60 (0.3%), 200 (1%) and 1
        Assert.Equal(BigInteger.Parse("1917569901783203986719870431555990"), FeeTier.Low.MaxLiquidityPerTick);
        Assert.Equal(BigInteger.Parse("11505743598341114571880798222544994"), FeeTier.Medium.MaxLiquidityPerTick);
        Assert.Equal(BigInteger.Parse("38350317471085141830651933667504588"), FeeTier.High.MaxLiquidityPerTick);
        Assert.Equal(BigInteger.Parse("191757530477355301479181766273477"), FeeTier.Lowest.MaxLiquidityPerTick);
    }
}
