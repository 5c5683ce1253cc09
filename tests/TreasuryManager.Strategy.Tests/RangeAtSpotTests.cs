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
}
