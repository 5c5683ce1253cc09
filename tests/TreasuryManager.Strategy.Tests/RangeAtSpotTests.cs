using System.Numerics;
using TreasuryManager.Models.Curve;
using TreasuryManager.Models.Policy;
using TreasuryManager.Strategy.Decisions;
using TreasuryManager.Strategy.Estimation;
using TreasuryManager.Strategy.Inputs;
using TreasuryManager.Strategy.Rules;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Strategy.Tests;

/// <summary>
/// <see cref="PoolInputs.RangeAtSpot"/> (a venue that mints at its spot, a Uniswap v3 position): the Decider's target is the
/// model's range around its centre, whatever the reserves. For a position the price has left (all quote) the ManagedPool's
/// reserve fit puts the whole range below the centre (the pool moves its price there, the quote fills the range under it);
/// a v3 mint cannot move the price, so its target is the model's range, symmetric in log price around the centre.
/// </summary>
public sealed class RangeAtSpotTests
{
    private const long Now = 1_800_000_000;

    /// <summary>A v3 position the price (2,000) has left upward: its range [1,700, 1,900], all quote, plus idle quote.</summary>
    private static PoolSnapshot AllQuote()
    {
        var spot = Uint.SqrtPriceX96FromPrice(2000);
        var low = Uint.SqrtPriceX96FromPrice(1700);
        var high = Uint.SqrtPriceX96FromPrice(1900);
        var quote = new BigInteger(2_000_000) * BigInteger.Pow(10, 18);
        return new PoolSnapshot(spot, low, high, LiquidityAmounts.GetLiquidityForAmount1(low, high, quote), 3000, BigInteger.Zero, quote, false, 0);
    }

    private static PoolInputs Inputs(bool rangeAtSpot) => DeciderTests.Inputs(AllQuote(), 2000) with
    {
        Policy = DeciderTests.Policy with { MinFeePips = 3000, MaxFeePips = 3000, AllowInventoryRecovery = true },
        RangeAtSpot = rangeAtSpot,
    };

    private static StrategyDecision Decide(PoolInputs inputs) => Decider.Decide(inputs, new PoolEstimates(null, null, null, 0), new PoolTargets(5000, 3000),
        new StrategySettings { RangeWidth = RangeWidthRule.StdDevs }, new DecisionContext(Now, 20_000_000_000, 90_000, 3000, false));

    [Fact]
    public void At_spot_the_target_is_the_models_range_around_the_centre_not_the_reserve_fit_below_it()
    {
        var fitted = Assert.IsType<RebalanceAction>(Decide(Inputs(rangeAtSpot: false)));
        Assert.InRange((double)fitted.ExpectedSqrtPriceHighX96 / (double)fitted.Target.SqrtPriceX96, 1 - 1e-9, 1 + 1e-9); // ends at the centre

        var action = Assert.IsType<RebalanceAction>(Decide(Inputs(rangeAtSpot: true)));
        Assert.Equal(RebalanceTrigger.HardLimit, action.Trigger); // all quote: past the hard limit
        Assert.Equal(3000, action.Target.FeePips); // fee bounds at the tier: no fee change
        var centre = action.Target.SqrtPriceX96;
        var (low, high) = (action.ExpectedSqrtPriceLowX96, action.ExpectedSqrtPriceHighX96);
        Assert.Equal(high, action.Target.SqrtPriceBoundX96);
        Assert.True(low < centre && centre < high);
        // symmetric in log price around the centre
        Assert.InRange(Math.Log((double)high / (double)centre) - Math.Log((double)centre / (double)low), -1e-9, 1e-9);
        var width = VaultPolicyMath.WidthBps(high, low);
        Assert.InRange(width, DeciderTests.Policy.MinWidthBps, DeciderTests.Policy.MaxWidthBps);
        // a short-base pool's centre leans above the oracle (toward buying base), within the skew the vault allows
        Assert.True(action.CentrePrice >= 2000);
        // the liquidity the reserves fund there at the spot: none without base (the keeper's swap is the lever)
        Assert.Equal(BigInteger.Zero, action.ExpectedLiquidity);
    }

    [Fact]
    public void AtSpot_funds_the_largest_liquidity_the_reserves_back_at_the_spot()
    {
        var spot = Uint.SqrtPriceX96FromPrice(2000);
        var reserve0 = new BigInteger(500) * BigInteger.Pow(10, 18);
        var reserve1 = new BigInteger(1_000_000) * BigInteger.Pow(10, 18);
        var state = new PoolState(spot, 0, 0, reserve0, reserve1, 3000, 0);
        var fit = RangeFit.AtSpot(state, 2100, 0.1);
        Assert.Equal(Uint.SqrtPriceX96FromPrice(2100 * Math.Exp(-0.1)), fit.Low);
        Assert.Equal(Uint.SqrtPriceX96FromPrice(2100 * Math.Exp(0.1)), fit.High);
        Assert.Equal(LiquidityAmounts.GetLiquidityForAmounts(spot, fit.Low, fit.High, reserve0, reserve1), fit.Liquidity);
        var (used0, used1) = LiquidityAmounts.GetAmountsForLiquidityRoundingUp(spot, fit.Low, fit.High, fit.Liquidity);
        Assert.True(used0 <= reserve0 && used1 <= reserve1, "funded beyond the reserves");
        Assert.True(used0 * 1000 >= reserve0 * 999 || used1 * 1000 >= reserve1 * 999, "one side is used up");
    }

    /// <summary>A v3 position registered and funded but never minted: balanced idle holdings at 2,000, no range.</summary>
    private static PoolSnapshot Fresh()
    {
        var spot = Uint.SqrtPriceX96FromPrice(2000);
        var e18 = BigInteger.Pow(10, 18);
        return new PoolSnapshot(spot, spot, spot, BigInteger.Zero, 3000, 500 * e18, 1_000_000 * e18, false, 0);
    }

    /// <summary>
    /// A funded, never-minted position is placed on the first cycle whatever the width rule or hedge: its band is zero and
    /// its inventory on target, so before the placement trigger a hedged pool or the σ rule held it InsideBand for good
    /// (only an unhedged pool's width trigger placed it). The same holdings once placed hold inside the band.
    /// </summary>
    [Theory]
    [InlineData(RangeWidthRule.FeeVersusLvr, 0.0)]
    [InlineData(RangeWidthRule.FeeVersusLvr, 1.0)]
    [InlineData(RangeWidthRule.StdDevs, 0.0)]
    [InlineData(RangeWidthRule.StdDevs, 1.0)]
    public void A_funded_position_never_minted_is_placed_on_the_first_cycle_and_a_placed_one_is_not(RangeWidthRule rule, double hedgeRatio)
    {
        var inputs = DeciderTests.Inputs(Fresh(), 2000) with
        {
            Policy = DeciderTests.Policy with { MinFeePips = 3000, MaxFeePips = 3000 },
            RangeAtSpot = true,
        };
        StrategyDecision Decide(PoolInputs i) => Decider.Decide(i, new PoolEstimates(null, null, null, 0), new PoolTargets(5000, 3000, hedgeRatio),
            new StrategySettings { RangeWidth = rule }, new DecisionContext(Now, 20_000_000_000, 90_000, 3000, false));

        var action = Assert.IsType<RebalanceAction>(Decide(inputs));
        Assert.Equal(RebalanceTrigger.Unplaced, action.Trigger);
        Assert.Equal(RebalanceKind.Normal, action.Kind);
        Assert.StartsWith("PLACE:", action.Reasons[0]);
        Assert.True(action.ExpectedLiquidity > 0, "the placement funds no liquidity");
        Assert.Equal(3000, action.Target.FeePips);

        // placed: the same holdings on the range the action chose (its liquidity) are inside the band
        var placed = Fresh() with { SqrtPriceLowX96 = action.ExpectedSqrtPriceLowX96, SqrtPriceHighX96 = action.ExpectedSqrtPriceHighX96, Liquidity = action.ExpectedLiquidity };
        var again = Decide(inputs with { State = placed });
        Assert.False(again is RebalanceAction { Trigger: RebalanceTrigger.Unplaced }, "a placed position was placed again");
    }

    [Fact]
    public void An_empty_position_is_not_placed()
    {
        var spot = Uint.SqrtPriceX96FromPrice(2000);
        var empty = new PoolSnapshot(spot, spot, spot, BigInteger.Zero, 3000, BigInteger.Zero, BigInteger.Zero, false, 0);
        var inputs = DeciderTests.Inputs(empty, 2000) with { Policy = DeciderTests.Policy with { MinFeePips = 3000, MaxFeePips = 3000 }, RangeAtSpot = true };
        var d = Decider.Decide(inputs, new PoolEstimates(null, null, null, 0), new PoolTargets(5000, 3000, 1),
            new StrategySettings(), new DecisionContext(Now, 20_000_000_000, 90_000, 3000, false));
        Assert.False(d is RebalanceAction, $"an empty position was rebalanced: {d}");
    }
}
