using TreasuryManager.Models.Risk;

namespace TreasuryManager.Models.Tests.Risk;

/// <summary>
/// The risk formulas at their edges: every bad argument is refused by its name, a range's end points belong to the
/// side the docs say, and the width choice stays inside [hMin, hMax] and on the optimum (found by mutation testing:
/// each check here failed on a mutant of the code the other tests let live).
/// </summary>
public sealed class RiskBoundaryTests
{
    private static void Refused(string parameter, Action call) =>
        Assert.Equal(parameter, Assert.Throws<ArgumentOutOfRangeException>(call).ParamName);

    [Fact]
    public void Band_refuses_each_bad_argument_by_name()
    {
        Refused("resetCost", () => Band.Width(-1, 10, 0.001, 30));
        Refused("inventoryVolatility", () => Band.Width(9, 0, 0.001, 30));
        Refused("gamma", () => Band.Width(9, 10, 0, 30));
        Refused("sigma", () => Band.Width(9, 10, 0.001, 0));
        Refused("bandWidth", () => Band.AverageCost(0, 9, 10, 0.001, 30));
        Refused("resetCost", () => Band.AverageCost(10, -1, 10, 0.001, 30));
        Refused("inventoryVolatility", () => Band.AverageCost(10, 9, double.NaN, 0.001, 30));
        Refused("gamma", () => Band.AverageCost(10, 9, 10, -0.001, 30));
        Refused("sigma", () => Band.AverageCost(10, 9, 10, 0.001, double.PositiveInfinity));
        Refused("gasUsed", () => Band.GasCost(-1, 2e10, 3000));
        Refused("gasPriceWei", () => Band.GasCost(150_000, -1, 3000));
        Refused("ethPrice", () => Band.GasCost(150_000, 2e10, double.NaN));
        // Free resets are allowed: the band is then zero (reset on every move).
        Assert.Equal(0, Band.Width(0, 10, 0.001, 30));
    }

    [Fact]
    public void Lvr_refuses_each_bad_argument_by_name_and_is_zero_at_the_range_ends()
    {
        Refused("sigma", () => Lvr.Instantaneous(0, 100, -0.5));
        Refused("price", () => Lvr.Instantaneous(0.2, -100, -0.5));
        Refused("deltaDerivative", () => Lvr.Instantaneous(0.2, 100, double.NaN));
        Refused("sigma", () => Lvr.FullRangeFraction(-0.2));
        Refused("value", () => Lvr.FullRange(0.2, -1));
        Refused("sigma", () => Lvr.RangeFraction(0, 100, 81, 121));
        Refused("price", () => Lvr.RangeFraction(0.2, 0, 81, 121));
        Refused("priceLow", () => Lvr.RangeFraction(0.2, 100, 0, 121));
        Refused("priceHigh", () => Lvr.RangeFraction(0.2, 100, 81, 0));
        Refused("priceLow", () => Lvr.RangeFraction(0.2, 100, 121, 121)); // an empty range
        // At an end the position is all one token and does not trade: no loss (the formula would give a positive one).
        Assert.Equal(0, Lvr.RangeFraction(0.2, 81, 81, 121));
        Assert.Equal(0, Lvr.RangeFraction(0.2, 121, 81, 121));
        Assert.True(Lvr.RangeFraction(0.2, 81.0001, 81, 121) > 0);
    }

    [Fact]
    public void Position_greeks_refuse_each_bad_argument_and_gamma_is_live_at_the_range_ends()
    {
        Refused("liquidity", () => PositionGreeks.Delta(-1, 100, 81, 121));
        Refused("price", () => PositionGreeks.Delta(1000, 0, 81, 121));
        Refused("priceLow", () => PositionGreeks.Delta(1000, 100, 0, 121));
        Refused("priceHigh", () => PositionGreeks.Delta(1000, 100, 81, 81)); // an empty range
        Refused("liquidity", () => PositionGreeks.Gamma(-1, 100, 81, 121));
        Refused("priceHigh", () => PositionGreeks.Gamma(1000, 100, 121, 81));
        // On the ends the position still trades: γ = −L/(2P^1.5): −1000/(2·729) and −1000/(2·1331).
        Assert.Equal(-1000.0 / 1458, PositionGreeks.Gamma(1000, 81, 81, 121), 12);
        Assert.Equal(-1000.0 / 2662, PositionGreeks.Gamma(1000, 121, 81, 121), 12);
    }

    [Fact]
    public void Range_width_refuses_each_bad_argument_by_name()
    {
        Refused("currentHalfWidth", () => RangeWidth.Choose(0, 0.01, 0.05, 0, 1, 0.005, 2.3));
        Refused("feeYieldPerDay", () => RangeWidth.Choose(0.05, -0.01, 0.05, 0, 1, 0.005, 2.3));
        Refused("sigmaPerDay", () => RangeWidth.Choose(0.05, 0.01, 0, 0, 1, 0.005, 2.3));
        Refused("rebalanceCostPerValue", () => RangeWidth.Choose(0.05, 0.01, 0.05, -1, 1, 0.005, 2.3));
        Refused("elasticity", () => RangeWidth.Choose(0.05, 0.01, 0.05, 0, -0.1, 0.005, 2.3));
        Refused("minHalfWidth", () => RangeWidth.Choose(0.05, 0.01, 0.05, 0, 1, 0, 2.3));
        Refused("maxHalfWidth", () => RangeWidth.Choose(0.05, 0.01, 0.05, 0, 1, 0.005, 0.004));
        Refused("halfWidth", () => RangeWidth.Concentration(0));
        // One allowed width is a choice, not an error.
        Assert.Equal(0.1, RangeWidth.Choose(0.05, 0.03, 0.05, 0.01, 1, 0.1, 0.1).HalfWidth);
    }

    [Fact]
    public void Range_width_optimum_is_refined_past_the_grid()
    {
        // The interior optimum of the hand-checked case (h* ≈ 0.058): no width 10⁻⁵ either side does better, which a
        // grid point alone (grid steps of (2.3/0.005)^(1/95) ≈ 6.7%) would not meet.
        var choice = RangeWidth.Choose(0.05, feeYieldPerDay: 0.03, 0.05, rebalanceCostPerValue: 0.01, elasticity: 1, 0.005, 2.3);
        var h = choice.HalfWidth;
        var j = RangeWidth.NetYield(h, 0.05, 0.03, 0.05, 0.01, 1);
        Assert.Equal(j, choice.NetYieldPerDay);
        foreach (var f in new[] { 1 - 1e-5, 1 + 1e-5 })
            Assert.True(RangeWidth.NetYield(h * f, 0.05, 0.03, 0.05, 0.01, 1) <= j, $"h·{f} beats h = {h}");
    }

    [Fact]
    public void Range_width_stays_within_the_bounds_when_the_optimum_lies_outside()
    {
        // g = 0.1 puts the unconstrained optimum near h ≈ 0.6, past hMax = 0.3, where J is still positive:
        // fees 0.03·c(0.3)/c(0.05) = 0.00532, LVR 0.0003125·7.18 = 0.00224, rebalancing 0.1·0.0025/0.09 = 0.00278.
        var wide = RangeWidth.Choose(0.05, 0.03, 0.05, rebalanceCostPerValue: 0.1, 1, 0.005, 0.3);
        Assert.True(wide.Profitable);
        Assert.Equal(0.3, wide.HalfWidth, 12);
        Assert.True(wide.HalfWidth <= 0.3);
        // No rebalancing cost and rich fees: the narrowest width wins, and not a hair below it.
        var narrow = RangeWidth.Choose(0.05, 0.03, 0.05, rebalanceCostPerValue: 0, 1, 0.05, 2.3);
        Assert.True(narrow.Profitable);
        Assert.Equal(0.05, narrow.HalfWidth, 12);
        Assert.True(narrow.HalfWidth >= 0.05);
    }

    [Fact]
    public void Range_width_without_any_net_income_is_not_profitable()
    {
        // σ² underflows to 0 and there are no fees: J = 0 everywhere, which is no profit (the gate needs J > 0).
        var choice = RangeWidth.Choose(0.05, feeYieldPerDay: 0, 1e-200, 0, 1, 0.005, 2.3);
        Assert.False(choice.Profitable);
        Assert.Equal(2.3, choice.HalfWidth);
        // The refusal tells the operator the loss rate: σ²/8 = 0.0003125/day in fixed decimals (five significant digits).
        Assert.Contains("σ²/8 = 0.00031250/day", RangeWidth.Choose(0.05, 0.005, 0.05, 1e-6, 1, 0.005, 2.3).Why);
    }
}
